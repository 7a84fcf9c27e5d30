namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>Kinds of sensor fault found by <see cref="SensorFaultDetector"/>; a row may carry several.</summary>
[Flags]
public enum SensorFaults : byte
{
    /// <summary>No fault.</summary>
    None = 0,

    /// <summary>The value has not changed for <see cref="SensorFaultOptions.FlatLineReadings"/> readings: stuck sensor.</summary>
    FlatLine = 1,

    /// <summary>The value is outside the physical range declared for the measure.</summary>
    OutOfRange = 2,

    /// <summary>The value changed faster than <see cref="SensorFaultOptions.MaxRatePerSecond"/> allows.</summary>
    ImpossibleJump = 4,

    /// <summary>Data is missing: a gap longer than <see cref="SensorFaultOptions.GapIntervals"/> expected intervals,
    /// or a missing (NaN) value.</summary>
    Missing = 8,
}
