namespace SmartCity.Streams.Sources;

/// <summary>Kinds of sensor fault the synthetic city injects.</summary>
public enum SensorFaultKind
{
    /// <summary>The sensor repeats the same values.</summary>
    Stuck,

    /// <summary>The sensor sends nothing (a gap in its readings).</summary>
    Silence,

    /// <summary>The sensor sends physically impossible values (negative or absurd speed, occupancy above 1).</summary>
    Spike,
}
