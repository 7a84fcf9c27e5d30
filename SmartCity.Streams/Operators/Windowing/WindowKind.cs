namespace SmartCity.Streams.Operators.Windowing;

/// <summary>How rows of a sensor are grouped into windows of event time.</summary>
public enum WindowKind
{
    /// <summary>Fixed-size, non-overlapping windows aligned to the epoch plus an offset.</summary>
    Tumbling,

    /// <summary>Fixed-size windows that start every hop and may overlap (computed from panes).</summary>
    Hopping,

    /// <summary>Windows per sensor that close after a gap of inactivity.</summary>
    Session,

    /// <summary>One window per sensor that never closes: a running aggregate.</summary>
    Global,
}
