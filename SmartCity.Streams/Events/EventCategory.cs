namespace SmartCity.Streams.Events;

/// <summary>What an event is about.</summary>
public enum EventCategory : byte
{
    /// <summary>A value crossed a configured threshold.</summary>
    Threshold,

    /// <summary>A reading or pattern is unusual for this sensor.</summary>
    Anomaly,

    /// <summary>A traffic incident: a sudden, lasting drop in speed or rise in occupancy.</summary>
    Incident,

    /// <summary>The sensor itself is suspect: stuck, silent, out of range, impossible jumps.</summary>
    SensorFault,

    /// <summary>Congestion is forecast within the horizon.</summary>
    CongestionAhead,

    /// <summary>A congested segment is forecast to clear.</summary>
    Recovery,

    /// <summary>A parallel route is forecast to be free.</summary>
    FreeAlternative,

    /// <summary>A low-demand window is forecast (charging, maintenance, off-peak offers).</summary>
    LowDemand,

    /// <summary>A high-demand window is forecast.</summary>
    HighDemand,

    /// <summary>Defined by a custom operator.</summary>
    Custom,
}
