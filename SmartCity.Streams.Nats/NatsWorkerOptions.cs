using SmartCity.Streams.Events;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Nats;

/// <summary>Configuration of one <see cref="NatsWorker"/>.</summary>
public sealed record NatsWorkerOptions
{
    /// <summary>
    /// The partitions this worker owns (see <see cref="NatsWorker.StaticAssignment"/>); required by
    /// <see cref="NatsWorker.RunAsync"/>. <see cref="NatsWorker.RunWithLeaseAsync"/> ignores it and runs the
    /// partitions of the slot it leases.
    /// </summary>
    public IReadOnlyList<int> Partitions { get; init; } = [];

    /// <summary>
    /// Builds the pipeline; it must send its events to the given sink (the worker's event publisher). Every
    /// worker builds the same pipeline.
    /// </summary>
    public required Func<IEventSink, StreamPipeline> Pipeline { get; init; }

    /// <summary>Where checkpoints go (a <see cref="FileStateStore"/> or a <see cref="NatsObjectStateStore"/>).</summary>
    public required IStateStore StateStore { get; init; }

    /// <summary>Checkpoint after this many batches. Default 50.</summary>
    public int CheckpointEveryBatches { get; init; } = 50;

    /// <summary>Checkpoint at least this often. Default 5 seconds.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Lanes of the pipeline run. Default 1.</summary>
    public int Lanes { get; init; } = 1;

    /// <summary>Source options (consumer name, idle end, dead letters, expected schema).</summary>
    public NatsSourceOptions Source { get; init; } = new();
}
