namespace SmartCity.Streams.Sources;

/// <summary>
/// Configuration of a <see cref="SyntheticCitySource"/>. Every default yields a realistic small city; the same
/// options (including <see cref="Seed"/>) always yield the same readings, incidents and faults.
/// </summary>
public sealed record SyntheticCityOptions
{
    /// <summary>Number of road sensors. Default 1,000.</summary>
    public int Sensors { get; init; } = 1_000;

    /// <summary>Sensors per corridor (a chain of consecutive sensors along one road, in the direction of travel). Default 20.</summary>
    public int SensorsPerCorridor { get; init; } = 20;

    /// <summary>Time of the first reading. Default Monday 2024-01-01 00:00 UTC.</summary>
    public DateTimeOffset Start { get; init; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Simulated duration. Default one day.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Time between two readings of a sensor. Default one minute.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows per record batch. Default 65,536.</summary>
    public int BatchSize { get; init; } = 65_536;

    /// <summary>Seed of every random choice. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Number of source partitions. Each sensor belongs to exactly one (by the engine's key hash), so with as
    /// many lanes as partitions every partition feeds its lane directly. Default 1.
    /// </summary>
    public int Partitions { get; init; } = 1;

    /// <summary>Expected traffic incidents per sensor per simulated day. Default 0.02.</summary>
    public double IncidentsPerSensorDay { get; init; } = 0.02;

    /// <summary>Shortest incident. Default 15 minutes.</summary>
    public TimeSpan IncidentMinDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Longest incident. Default 60 minutes.</summary>
    public TimeSpan IncidentMaxDuration { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>How many sensors before the incident site, against the direction of travel, the queue reaches. Default 3.</summary>
    public int IncidentSpread { get; init; } = 3;

    /// <summary>Expected sensor faults (stuck, silent, spikes) per sensor per simulated day. Default 0.01.</summary>
    public double FaultsPerSensorDay { get; init; } = 0.01;

    /// <summary>Scale of the measurement noise (0 = none, 1 = realistic). Default 1.</summary>
    public double NoiseLevel { get; init; } = 1.0;

    /// <summary>Name of the sensor id column (Int64). Default "sensor".</summary>
    public string SensorColumn { get; init; } = "sensor";

    /// <summary>Name of the event time column (Timestamp µs UTC). Default "time".</summary>
    public string TimeColumn { get; init; } = "time";

    /// <summary>Name of the speed column (km/h). Default "speed".</summary>
    public string SpeedColumn { get; init; } = "speed";

    /// <summary>Name of the occupancy column (fraction of time the detector is occupied, 0..1). Default "occupancy".</summary>
    public string OccupancyColumn { get; init; } = "occupancy";

    /// <summary>Name of the flow column (vehicles per hour). Default "flow".</summary>
    public string FlowColumn { get; init; } = "flow";

    internal void Validate()
    {
        Check(Sensors >= 1, nameof(Sensors), "must be at least 1");
        Check(SensorsPerCorridor >= 1, nameof(SensorsPerCorridor), "must be at least 1");
        Check(Interval > TimeSpan.Zero && Interval.Ticks % 10 == 0, nameof(Interval), "must be positive and a whole number of microseconds");
        Check(Duration >= TimeSpan.Zero, nameof(Duration), "must not be negative");
        Check(BatchSize >= 1, nameof(BatchSize), "must be at least 1");
        Check(Partitions >= 1, nameof(Partitions), "must be at least 1");
        Check(IncidentsPerSensorDay >= 0 && FaultsPerSensorDay >= 0, nameof(IncidentsPerSensorDay), "rates must not be negative");
        Check(IncidentMinDuration > TimeSpan.Zero && IncidentMaxDuration >= IncidentMinDuration, nameof(IncidentMinDuration), "durations must be positive with min <= max");
        Check(IncidentSpread >= 0, nameof(IncidentSpread), "must not be negative");
        Check(NoiseLevel >= 0, nameof(NoiseLevel), "must not be negative");
    }

    private static void Check(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"SyntheticCityOptions.{name} {message}.");
        }
    }
}
