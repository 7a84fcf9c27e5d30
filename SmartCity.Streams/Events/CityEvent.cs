using System.Globalization;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Events;

/// <summary>
/// A risk or opportunity detected in the stream. A small immutable value: copying it never allocates.
/// </summary>
/// <remarks>
/// All times are event times (microseconds since the Unix epoch), never wall-clock times, so a replay of the
/// same input produces the same events with the same <see cref="Id"/>: sinks deduplicate by it.
/// </remarks>
public readonly struct CityEvent : IEquatable<CityEvent>
{
    /// <summary>Creates an event; the id is derived from its identity fields.</summary>
    /// <param name="kind">Risk or opportunity.</param>
    /// <param name="category">What it is about.</param>
    /// <param name="phase">Open, update or resolve.</param>
    /// <param name="sensor">The sensor concerned.</param>
    /// <param name="eventTime">When the condition started (event time, microseconds).</param>
    /// <param name="detectionTime">The event time at which the engine detected this phase.</param>
    /// <param name="horizon">For forecasts, how far ahead the condition is expected (microseconds); 0 otherwise.</param>
    /// <param name="score">Severity or confidence in [0, 1].</param>
    /// <param name="observed">The value observed (or forecast), NaN when not applicable.</param>
    /// <param name="expected">The value expected, NaN when not applicable.</param>
    /// <param name="source">Name of the operator that emitted it.</param>
    public CityEvent(EventKind kind, EventCategory category, EventPhase phase, SensorId sensor, long eventTime, long detectionTime,
        long horizon, double score, double observed, double expected, string source)
    {
        Kind = kind;
        Category = category;
        Phase = phase;
        Sensor = sensor;
        EventTime = eventTime;
        DetectionTime = detectionTime;
        Horizon = horizon;
        Score = score;
        Observed = observed;
        Expected = expected;
        Source = source ?? string.Empty;
        Id = ComputeId(Source, category, phase, sensor, eventTime, detectionTime);
    }

    /// <summary>Deterministic id: the same input always yields the same id, across runs, lanes and processes.</summary>
    public ulong Id { get; }

    /// <summary>Risk or opportunity.</summary>
    public EventKind Kind { get; }

    /// <summary>What it is about.</summary>
    public EventCategory Category { get; }

    /// <summary>Lifecycle phase.</summary>
    public EventPhase Phase { get; }

    /// <summary>The sensor concerned.</summary>
    public SensorId Sensor { get; }

    /// <summary>When the condition started, microseconds since the epoch (event time).</summary>
    public long EventTime { get; }

    /// <summary>The event time at which this phase was detected, microseconds since the epoch.</summary>
    public long DetectionTime { get; }

    /// <summary>Forecast lead, microseconds (0 when not a forecast).</summary>
    public long Horizon { get; }

    /// <summary>Severity or confidence in [0, 1].</summary>
    public double Score { get; }

    /// <summary>Observed or forecast value.</summary>
    public double Observed { get; }

    /// <summary>Expected value.</summary>
    public double Expected { get; }

    /// <summary>Name of the operator that emitted the event.</summary>
    public string Source { get; }

    /// <summary>Computes the id of an event from its identity fields.</summary>
    public static ulong ComputeId(string source, EventCategory category, EventPhase phase, SensorId sensor, long eventTime, long detectionTime)
    {
        var h = Hashing.String(source);
        h = Hashing.Combine(h, (ulong)category);
        h = Hashing.Combine(h, (ulong)phase);
        h = Hashing.Combine(h, sensor.StableHash);
        h = Hashing.Combine(h, (ulong)eventTime);
        return Hashing.Combine(h, (ulong)detectionTime);
    }

    /// <inheritdoc />
    public bool Equals(CityEvent other) => Id == other.Id && Kind == other.Kind && Category == other.Category && Phase == other.Phase
        && Sensor == other.Sensor && EventTime == other.EventTime && DetectionTime == other.DetectionTime && Horizon == other.Horizon
        && Score.Equals(other.Score) && Observed.Equals(other.Observed) && Expected.Equals(other.Expected)
        && string.Equals(Source, other.Source, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CityEvent other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)Id;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Kind}/{Category}/{Phase} sensor={Sensor} at={Batches.EventTime.Format(EventTime)} detected={Batches.EventTime.Format(DetectionTime)} score={Score:0.###} observed={Observed:0.###} expected={Expected:0.###} by {Source}");

    /// <summary>Equality.</summary>
    public static bool operator ==(CityEvent left, CityEvent right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(CityEvent left, CityEvent right) => !left.Equals(right);
}
