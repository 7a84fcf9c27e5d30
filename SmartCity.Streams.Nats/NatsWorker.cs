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

    /// <summary>The slot leased by the current or last <see cref="RunWithLeaseAsync"/> (null: none yet).</summary>
    public int? Slot { get; private set; }

    /// <summary>Whether that slot was taken over from a holder that stopped renewing (rather than found free).</summary>
    public bool SlotTakenOver { get; private set; }

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
    /// <exception cref="InvalidOperationException"><see cref="NatsWorkerOptions.Partitions"/> is empty.</exception>
    public async Task<PipelineStatistics> RunAsync(CancellationToken cancellationToken = default)
    {
        if (_options.Partitions.Count == 0)
        {
            throw new InvalidOperationException("NatsWorkerOptions.Partitions is empty: give the worker its partitions, or use RunWithLeaseAsync.");
        }

        await Layout.EnsureStreamsAsync(_jetStream, cancellationToken).ConfigureAwait(false);
        return await RunPartitionsAsync(_options.Partitions, fence: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a free or stale assignment slot in the lease bucket (polling every
    /// <see cref="NatsLeaseOptions.PollEvery"/>), then runs that slot exactly as <see cref="RunAsync"/> runs a static
    /// assignment: the partitions of <see cref="StaticAssignment"/>(partitions, slots, slot) and their checkpoint,
    /// so a standby that takes over a dead worker's slot resumes from that worker's last checkpoint. The lease is
    /// renewed every <see cref="NatsLeaseOptions.RenewEvery"/> and confirmed before every checkpoint commit (fencing).
    /// </summary>
    /// <remarks>
    /// <para>Ends like <see cref="RunAsync"/> (cancellation with a final checkpoint, or idle end) and then releases
    /// the slot. If the run fails, the lease is not released, as if the process had died: another worker takes
    /// the slot over after <see cref="NatsLeaseOptions.Ttl"/>, which also spaces out retries of a failing slot.
    /// One call runs one slot once; call again to go back to standby.</para>
    /// </remarks>
    /// <returns>The run's statistics, or null if cancelled before a slot was acquired or before its run started.</returns>
    /// <exception cref="NatsLeaseLostException">The lease was lost (taken over, or not renewable within its time
    /// to live): the run stopped without committing a checkpoint or acknowledging input.</exception>
    public async Task<PipelineStatistics?> RunWithLeaseAsync(NatsLeaseOptions lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lease.Validate();
        if (lease.Slots > Layout.Partitions)
        {
            throw new ArgumentOutOfRangeException(nameof(lease), $"NatsLeaseOptions.Slots ({lease.Slots}) must not exceed the layout's {Layout.Partitions} partitions (a slot without partitions would do nothing).");
        }

        await Layout.EnsureStreamsAsync(_jetStream, cancellationToken).ConfigureAwait(false);
        using var slotLease = await NatsSlotLease.OpenAsync(_jetStream, lease.Bucket ?? NatsSlotLease.DefaultBucket(Layout), lease.Slots, lease.Holder, lease.Ttl, cancellationToken).ConfigureAwait(false);
        int slot;
        try
        {
            while (true)
            {
                try
                {
                    if (await slotLease.TryAcquireAnyAsync(cancellationToken).ConfigureAwait(false) is { } acquired)
                    {
                        slot = acquired;
                        break;
                    }
                }
                catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
                {
                    // A standby outlives broker outages: it keeps polling (a create whose answer was lost shows up as
                    // a lease nobody renews, which this worker takes over after the time to live).
                }

                await Task.Delay(lease.PollEvery, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        Slot = slot;
        SlotTakenOver = slotLease.TookOver;
        var partitions = StaticAssignment(Layout.Partitions, lease.Slots, slot);
        using var stopRun = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewUntilStoppedAsync(slotLease, lease.RenewInterval, stopRun, stopRenewing.Token);
        PipelineStatistics? statistics = null;
        try
        {
            statistics = await RunPartitionsAsync(partitions, slotLease.EnsureHeldAsync, stopRun.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not NatsLeaseLostException && slotLease.IsLost)
        {
            throw new NatsLeaseLostException($"Slot {slot} of lease bucket '{slotLease.Bucket}' was lost; the run stopped without committing.", e) { Slot = slot };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while restoring the checkpoint, before any batch: nothing to commit, so a clean stop that
            // releases the slot like any other (the run loop itself turns later cancellations into a final checkpoint).
        }
        finally
        {
            await stopRenewing.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }

        if (slotLease.IsLost)
        {
            // Stopped by the renewal loop between checkpoints, with nothing left to commit.
            throw new NatsLeaseLostException($"Slot {slot} of lease bucket '{slotLease.Bucket}' was lost; the run stopped without committing.") { Slot = slot };
        }

        try
        {
            await slotLease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e))
        {
            // The run is complete and committed; an unreleased lease only delays the next holder by the time to live.
        }

        return statistics;
    }

    private static bool IsTransient(Exception e) => e is NATS.Client.Core.NatsException or TimeoutException;

    private static async Task RenewUntilStoppedAsync(NatsSlotLease lease, TimeSpan every, CancellationTokenSource stopRunOnLoss, CancellationToken stop)
    {
        var wait = every;
        try
        {
            while (true)
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
                try
                {
                    await lease.RenewAsync(stop).ConfigureAwait(false);
                    wait = every;
                }
                catch (NatsLeaseLostException)
                {
                    await stopRunOnLoss.CancelAsync().ConfigureAwait(false);
                    return;
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // Broker unreachable: retry soon; RenewAsync declares the lease lost once its time to live is up.
                    wait = TimeSpan.FromMilliseconds(Math.Min(every.TotalMilliseconds, 200));
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    private async Task<PipelineStatistics> RunPartitionsAsync(IReadOnlyList<int> partitions, Func<CancellationToken, Task>? fence, CancellationToken cancellationToken)
    {
        var publisher = new NatsEventPublisher(_jetStream, Layout);
        var pipeline = _options.Pipeline(publisher);
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
                BeforeCheckpoint = fence is null ? publisher.FlushAsync : async ct =>
                {
                    // Flush first (it may take a while), then confirm the lease right before the checkpoint is
                    // written and the input acknowledged: a holder that lost its slot commits nothing.
                    await publisher.FlushAsync(ct).ConfigureAwait(false);
                    await fence(ct).ConfigureAwait(false);
                },
            });
            Source = source;
            Publisher = publisher;
            Run = run;
            return await run.RunAsync(source, cancellationToken).ConfigureAwait(false);
        }
    }
}
