using SmartCity.Streams.Diagnostics;
using SmartCity.Streams.State;
using NATS.Client.JetStream;

namespace SmartCity.Streams.Nats;

/// <summary>
/// One worker process's share of a distributed pipeline: reads its partitions from JetStream, runs the pipeline
/// with checkpoints, publishes events to <c>&lt;prefix&gt;.events.&lt;kind&gt;</c>, and acknowledges input only after a
/// checkpoint covers it. Start N workers (processes or machines) with disjoint partition sets
/// (<see cref="StaticAssignment"/>) over the same layout.
/// </summary>
public sealed class NatsWorker
{
    private readonly INatsJSContext _jetStream;
    private readonly NatsWorkerOptions _options;

    /// <summary>Creates a worker.</summary>
    public NatsWorker(INatsJSContext jetStream, NatsLayout layout, NatsWorkerOptions options)
    {
        _jetStream = jetStream ?? throw new ArgumentNullException(nameof(jetStream));
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        foreach (var p in options.Partitions)
        {
            _ = layout.PartitionSubject(p); // validates the range
        }
    }

    /// <summary>The layout.</summary>
    public NatsLayout Layout { get; }

    /// <summary>The source of the current or last run (counters: dead letters, reseeks).</summary>
    public NatsPartitionSource? Source { get; private set; }

    /// <summary>The event publisher of the current or last run.</summary>
    public NatsEventPublisher? Publisher { get; private set; }

    /// <summary>The checkpoint driver of the current or last run.</summary>
    public CheckpointedRun? Run { get; private set; }

    /// <summary>Partitions of worker <paramref name="index"/> among <paramref name="workers"/>: p where p mod workers = index.</summary>
    public static IReadOnlyList<int> StaticAssignment(int partitions, int workers, int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, workers);
        return [.. Enumerable.Range(0, partitions).Where(p => p % workers == index)];
    }

    /// <summary>
    /// Resumes from the latest checkpoint of this worker's partition set and runs until cancelled (a final
    /// checkpoint is taken) or, with <see cref="NatsSourceOptions.EndWhenIdleFor"/>, until the input is idle.
    /// </summary>
    public async Task<PipelineStatistics> RunAsync(CancellationToken cancellationToken = default)
    {
        await Layout.EnsureStreamsAsync(_jetStream, cancellationToken).ConfigureAwait(false);
        var publisher = new NatsEventPublisher(_jetStream, Layout);
        var pipeline = _options.Pipeline(publisher);
        var partitions = _options.Partitions;
        var source = new NatsPartitionSource(_jetStream, Layout, partitions, _options.Source with
        {
            ConsumerName = $"{_options.Source.ConsumerName}-{pipeline.Name}",
        });
        await using (source.ConfigureAwait(false))
        {
            var run = new CheckpointedRun(pipeline, _options.StateStore, new CheckpointOptions
            {
                Name = $"{pipeline.Name}-p{string.Join('-', partitions)}",
                Lanes = _options.Lanes,
                EveryBatches = _options.CheckpointEveryBatches,
                Interval = _options.CheckpointInterval,
                AfterBatch = publisher.FlushAsync,
                BeforeCheckpoint = publisher.FlushAsync,
            });
            Source = source;
            Publisher = publisher;
            Run = run;
            return await run.RunAsync(source, cancellationToken).ConfigureAwait(false);
        }
    }
}
