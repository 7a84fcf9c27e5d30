namespace SmartCity.Streams.Sources;

/// <summary>Ground truth of an injected sensor fault. Times are event times in microseconds since the epoch; the interval is [Start, End).</summary>
/// <param name="Sensor">The faulty sensor.</param>
/// <param name="Start">First reading affected.</param>
/// <param name="End">First reading no longer affected.</param>
/// <param name="Kind">What the sensor does wrong.</param>
public sealed record SyntheticFault(long Sensor, long Start, long End, SensorFaultKind Kind);
