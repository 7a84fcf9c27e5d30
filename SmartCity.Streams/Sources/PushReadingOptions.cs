namespace SmartCity.Streams.Sources;

/// <summary>How a <see cref="PushReadingWriter"/> micro-batches single readings into Arrow batches.</summary>
public sealed record PushReadingOptions
{
    /// <summary>Name of the sensor id column (Int64). Default "sensor".</summary>
    public string KeyColumn { get; init; } = "sensor";

    /// <summary>Name of the event time column (Timestamp µs UTC). Default "time".</summary>
    public string TimeColumn { get; init; } = "time";

    /// <summary>Measure columns (Double), in the order values are written. Default "speed".</summary>
    public IReadOnlyList<string> MeasureColumns { get; init; } = ["speed"];

    /// <summary>A batch is sent when it holds this many rows. Default 4,096.</summary>
    public int MaxBatchRows { get; init; } = 4_096;

    /// <summary>A partial batch is sent when its oldest reading has waited this long (processing time). Default 100 ms.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(100);
}
