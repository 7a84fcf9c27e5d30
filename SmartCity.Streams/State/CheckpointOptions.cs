namespace SmartCity.Streams.State;

/// <summary>When and how a <see cref="CheckpointedRun"/> takes checkpoints.</summary>
public sealed record CheckpointOptions
{
    /// <summary>Name the checkpoints are stored under. Default: the pipeline name.</summary>
    public string? Name { get; init; }

    /// <summary>Lanes of the run (a checkpoint restores only into the same lane count). Default 1.</summary>
    public int Lanes { get; init; } = 1;

    /// <summary>Take a checkpoint after this many source batches. Default 100; 0 disables the count trigger.</summary>
    public int EveryBatches { get; init; } = 100;

    /// <summary>Take a checkpoint when this much processing time passed since the last one. Default: off.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>When the source ends, complete the run (flush open windows) after a last checkpoint. Default true.</summary>
    public bool CompleteAtEnd { get; init; } = true;

    /// <summary>
    /// Called after each batch is processed (for example to publish the events it produced). Awaited before the
    /// next batch is read.
    /// </summary>
    public Func<CancellationToken, ValueTask>? AfterBatch { get; init; }

    /// <summary>
    /// Called before a checkpoint is written: everything the covered batches emitted must be durable in the
    /// sinks when it returns (flush publishers here).
    /// </summary>
    public Func<CancellationToken, ValueTask>? BeforeCheckpoint { get; init; }

    /// <summary>Called after a checkpoint is durable and the source has been told (for example to trim a deduplication window).</summary>
    public Action<Checkpoint>? AfterCheckpoint { get; init; }

    internal void Validate()
    {
        if (Lanes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Lanes), $"CheckpointOptions.Lanes must be at least 1 (got {Lanes}).");
        }

        if (EveryBatches < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EveryBatches), $"CheckpointOptions.EveryBatches must not be negative (got {EveryBatches}).");
        }

        if (Interval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), $"CheckpointOptions.Interval must be positive (got {interval}).");
        }
    }
}
