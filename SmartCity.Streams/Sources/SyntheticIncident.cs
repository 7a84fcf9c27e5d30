namespace SmartCity.Streams.Sources;

/// <summary>Ground truth of an injected traffic incident. Times are event times in microseconds since the epoch; the interval is [Start, End).</summary>
/// <param name="Sensor">The sensor at the incident site.</param>
/// <param name="Start">First reading affected.</param>
/// <param name="End">First reading no longer affected.</param>
/// <param name="SpeedFactor">Speed multiplier at the site (0.2 to 0.5); sensors further up the queue are slowed less.</param>
/// <param name="AffectedSensors">The site first, then the sensors the queue backs up over (against the direction of travel).</param>
public sealed record SyntheticIncident(long Sensor, long Start, long End, double SpeedFactor, IReadOnlyList<long> AffectedSensors);
