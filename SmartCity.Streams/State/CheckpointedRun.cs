using System.Diagnostics;
using SmartCity.Streams.Diagnostics;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.State;

/// <summary>
/// Runs a pipeline over a source with periodic checkpoints: on start it restores the latest checkpoint and asks
/// the source (an <see cref="IResumableSource"/>) to continue after the recorded positions; every
/// <see cref="CheckpointOptions.EveryBatches"/> batches or <see cref="CheckpointOptions.Interval"/>, and when
/// stopped by cancellation or at the end of the source, it saves the pipeline snapshot with the positions.
/// </summary>
/// <remarks>
/// <para>Checkpoints are taken between batches on the run's own thread (the run is synchronous, lanes processed
/// one after the other), so a snapshot is always consistent with the positions, with no barrier protocol.</para>
/// <para>Events emitted after the last checkpoint are emitted again after a crash, with the same
/// <see cref="Events.CityEvent.Id"/>: put a deduplicating sink (<see cref="Events.DeduplicatingEventSink"/>, a
/// broker's message-id deduplication) in front of anything that must see each event once.</para>
/// <para>A failure while processing ends the run without a checkpoint (the state may be half-updated); restart
/// resumes from the previous checkpoint.</para>
/// </remarks>
public sealed class CheckpointedRun
{
    private readonly StreamPipeline _pipeline;
    private readonly IStateStore _store;
    private readonly CheckpointOptions _options;

    /// <summary>Creates the driver; nothing runs until <see cref="RunAsync"/>.</summary>
    public CheckpointedRun(StreamPipeline pipeline, IStateStore store, CheckpointOptions? options = null)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? new CheckpointOptions();
        _options.Validate();
    }

    /// <summary>Name the checkpoints are stored under.</summary>
    public string Name => _options.Name ?? _pipeline.Name;

    /// <summary>The checkpoint the last <see cref="RunAsync"/> resumed from (null: fresh start).</summary>
    public Checkpoint? Restored { get; private set; }

    /// <summary>Checkpoints written by the last <see cref="RunAsync"/>.</summary>
    public int CheckpointsTaken { get; private set; }

    /// <summary>The latest checkpoint written or restored.</summary>
    public Checkpoint? Latest { get; private set; }

    /// <summary>
    /// Resumes from the latest checkpoint (if any) and runs until the source ends or
    /// <paramref name="cancellationToken"/> is cancelled; both end with a checkpoint. Cancellation returns normally
    /// (the run is not completed: the stream goes on at the next start).
    /// </summary>
    /// <returns>The run's statistics (counting only what this call processed).</returns>
    /// <exception cref="InvalidDataException">The stored checkpoint is corrupt or incompatible.</exception>
    /// <exception cref="InvalidOperationException">A checkpoint exists but the source cannot resume.</exception>
    public async Task<PipelineStatistics> RunAsync(BatchSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckpointsTaken = 0;
        var partitions = Math.Max(1, source.PartitionCount);
        var positions = new long[partitions];
        System.Array.Fill(positions, -1L);
        using var run = _pipeline.CreateRun(_options.Lanes, partitions);
        var checkpoint = await _store.LoadLatestAsync(Name, cancellationToken).ConfigureAwait(false);
        Restored = checkpoint;
        Latest = checkpoint;
        long batches = 0;
        if (checkpoint is not null)
        {
            if (source is not IResumableSource resumable)
            {
                throw new InvalidOperationException($"A checkpoint of '{Name}' exists but {source.GetType().Name} cannot resume from positions (it is not an IResumableSource).");
            }

            if (checkpoint.Positions.Count != partitions)
            {
                throw new InvalidDataException($"The checkpoint of '{Name}' records {checkpoint.Positions.Count} source partitions; the source has {partitions}. Resume with the same partitioning.");
            }

            using (var state = new MemoryStream(checkpoint.PipelineState.ToArray(), writable: false))
            {
                run.RestoreState(state);
            }

            for (var p = 0; p < partitions; p++)
            {
                positions[p] = checkpoint.Positions[p];
            }

            batches = checkpoint.Batches;
            await resumable.SeekAsync(positions, cancellationToken).ConfigureAwait(false);
        }

        var sinceCheckpoint = 0;
        var lastCheckpoint = Stopwatch.GetTimestamp();
        try
        {
            while (await source.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                var current = source.Current;
                try
                {
                    run.Process(current.Batch, current.Partition);
                }
                finally
                {
                    source.Release(current);
                }

                positions[current.Partition] = current.Position;
                batches++;
                sinceCheckpoint++;
                if (_options.AfterBatch is { } after)
                {
                    await after(cancellationToken).ConfigureAwait(false);
                }

                if ((_options.EveryBatches > 0 && sinceCheckpoint >= _options.EveryBatches)
                    || (_options.Interval is { } interval && Stopwatch.GetElapsedTime(lastCheckpoint) >= interval))
                {
                    await CheckpointAsync(run, source, positions, batches, cancellationToken).ConfigureAwait(false);
                    sinceCheckpoint = 0;
                    lastCheckpoint = Stopwatch.GetTimestamp();
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Graceful stop between batches: handled below.
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Graceful stop: everything processed so far is consistent; the stream continues at the next start.
            if (sinceCheckpoint > 0)
            {
                await CheckpointAsync(run, source, positions, batches, CancellationToken.None).ConfigureAwait(false);
            }

            return run.Statistics;
        }

        if (sinceCheckpoint > 0 || checkpoint is null)
        {
            await CheckpointAsync(run, source, positions, batches, cancellationToken).ConfigureAwait(false);
        }

        if (_options.CompleteAtEnd)
        {
            run.Complete();
            if (_options.AfterBatch is { } after)
            {
                await after(cancellationToken).ConfigureAwait(false);
            }
        }

        return run.Statistics;
    }

    private async ValueTask CheckpointAsync(PipelineRun run, BatchSource source, long[] positions, long batches, CancellationToken cancellationToken)
    {
        if (_options.BeforeCheckpoint is { } before)
        {
            await before(cancellationToken).ConfigureAwait(false);
        }

        using var state = new MemoryStream();
        run.SaveState(state);
        var checkpoint = new Checkpoint(Name, (Latest?.Sequence ?? 0) + 1, DateTimeOffset.UtcNow, batches, positions,
            state.GetBuffer().AsMemory(0, (int)state.Length));
        await _store.SaveAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        Latest = checkpoint;
        CheckpointsTaken++;
        if (source is IResumableSource resumable)
        {
            await resumable.CommitAsync(checkpoint.Positions, cancellationToken).ConfigureAwait(false);
        }

        _options.AfterCheckpoint?.Invoke(checkpoint);
    }
}
