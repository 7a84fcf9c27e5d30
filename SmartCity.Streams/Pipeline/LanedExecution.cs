using System.Collections.Concurrent;
using System.Threading.Channels;
using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Diagnostics;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Pipeline;

/// <summary>
/// Runs a pipeline over a source on N lane threads. The dispatcher reads the source, computes the watermark
/// and each lane's row indices; every lane binds, gathers and processes its own rows in parallel. Lanes are
/// fed through bounded channels (backpressure), messages and index buffers are pooled (no allocation per
/// batch in steady state), and a source batch is released when the last lane is done with it.
/// </summary>
internal sealed class LanedExecution
{
    private readonly StreamPipeline _pipeline;
    private readonly BatchSource _source;
    private readonly int _laneCount;

    public LanedExecution(StreamPipeline pipeline, BatchSource source, int lanes)
    {
        _pipeline = pipeline;
        _source = source;
        _laneCount = lanes;
    }

    public async Task<PipelineStatistics> RunAsync(CancellationToken cancellationToken)
    {
        if (_laneCount == 1)
        {
            return await RunSingleLaneAsync(cancellationToken).ConfigureAwait(false);
        }

        var run = new PipelineRun(_pipeline, _laneCount, _source.PartitionCount, concurrent: true);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channels = new Channel<LaneMessage>[_laneCount];
        var pools = new ConcurrentQueue<LaneMessage>[_laneCount];
        var tickets = new ConcurrentQueue<BatchTicket>();
        var tasks = new Task[_laneCount];
        for (var lane = 0; lane < _laneCount; lane++)
        {
            channels[lane] = Channel.CreateBounded<LaneMessage>(new BoundedChannelOptions(_pipeline.LaneCapacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            pools[lane] = new ConcurrentQueue<LaneMessage>();
            var chain = run.Lanes[lane];
            var reader = channels[lane].Reader;
            var pool = pools[lane];
            var depth = lane;
            tasks[lane] = Task.Run(() => LaneLoopAsync(chain, reader, pool, tickets, run.Statistics, depth, stop), CancellationToken.None);
        }

        Exception? failure = null;
        try
        {
            await DispatchAsync(run, channels, pools, tickets, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            await stop.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Writer.TryComplete();
            }
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.Any(t => t.IsFaulted))
        {
            // A lane's own error explains the run better than the cancellation it caused in the dispatcher.
            failure = tasks.First(t => t.IsFaulted).Exception!.InnerException;
        }
        catch (Exception e)
        {
            failure ??= e;
        }

        if (failure is null)
        {
            run.Statistics.AddSourceRejected(_source.RowsRejected);
            run.Complete();
            return run.Statistics;
        }

        run.Fail(failure);
        if (failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The pipeline run was cancelled.", failure, cancellationToken);
        }

        throw failure;
    }

    private async Task<PipelineStatistics> RunSingleLaneAsync(CancellationToken cancellationToken)
    {
        using var run = new PipelineRun(_pipeline, 1, _source.PartitionCount, concurrent: false);
        try
        {
            while (await _source.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                var current = _source.Current;
                try
                {
                    run.Process(current.Batch, current.Partition);
                }
                finally
                {
                    _source.Release(current);
                }
            }
        }
        catch (OperatorException)
        {
            throw; // The run already completed the sinks with this error.
        }
        catch (Exception e)
        {
            run.Fail(e);
            throw;
        }

        run.Statistics.AddSourceRejected(_source.RowsRejected);
        run.Complete();
        return run.Statistics;
    }

    private async Task DispatchAsync(PipelineRun run, Channel<LaneMessage>[] channels, ConcurrentQueue<LaneMessage>[] pools,
        ConcurrentQueue<BatchTicket> tickets, CancellationToken cancellationToken)
    {
        var partitioner = new LanePartitioner(_pipeline.Input, _laneCount);
        var timeBinder = new ArrowBatchBinder(_pipeline.Input, new KeyIndex());
        var tracker = new WatermarkTracker(_source.PartitionCount, _pipeline.OutOfOrderness, _pipeline.IdleTimeout, _pipeline.Clock);
        var direct = _source.PartitionsByKey && _source.PartitionCount == _laneCount;
        var rows = new int[_laneCount][];
        var counts = new int[_laneCount];
        for (var i = 0; i < _laneCount; i++)
        {
            rows[i] = [];
        }

        long sequence = 0;
        var lastWatermark = EventTime.MinValue;
        var messages = new LaneMessage[_laneCount];
        while (await _source.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var current = _source.Current;
            var batch = current.Batch;
            run.Statistics.AddSourceBatch();
            var max = _pipeline.TracksWatermark ? PipelineRun.MaxTime(timeBinder.Bind(batch, default, true, sequence).Times) : EventTime.MinValue;
            var watermark = max == EventTime.MinValue ? tracker.Current : tracker.Observe(current.Partition, max);
            run.Statistics.SetWatermark(watermark, tracker.MaxEventTime);

            // Rent each lane's message first so the partitioner writes row indices straight into it.
            for (var lane = 0; lane < _laneCount; lane++)
            {
                messages[lane] = pools[lane].TryDequeue(out var m) ? m : new LaneMessage();
                rows[lane] = messages[lane].Rows;
            }

            if (direct)
            {
                System.Array.Clear(counts);
                counts[current.Partition] = -1; // all rows
            }
            else
            {
                partitioner.Split(batch, rows, counts);
            }

            var receivers = 0;
            foreach (var c in counts)
            {
                receivers += c != 0 ? 1 : 0;
            }

            BatchTicket? ticket = null;
            if (receivers > 0)
            {
                ticket = tickets.TryDequeue(out var t) ? t : new BatchTicket();
                ticket.Arm(_source, current, receivers);
            }
            else
            {
                _source.Release(current);
            }

            var advanced = watermark > lastWatermark;
            lastWatermark = watermark;
            for (var lane = 0; lane < _laneCount; lane++)
            {
                var message = messages[lane];
                message.Rows = rows[lane];
                messages[lane] = null!;
                if (counts[lane] == 0 && !advanced)
                {
                    pools[lane].Enqueue(message);
                    continue;
                }

                message.Set(counts[lane] != 0 ? batch : null, counts[lane] != 0 ? ticket : null, sequence, watermark);
                message.Count = Math.Max(0, counts[lane]);
                message.AllRows = counts[lane] < 0;
                Interlocked.Increment(ref run.Statistics.QueueDepths[lane]);
                await channels[lane].Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }

            sequence++;
        }
    }

    /// <remarks>
    /// Asynchronous so that waiting for the next batch allocates nothing: a single-reader bounded channel
    /// completes its wait through a reusable operation, where blocking a thread on it would need a Task.
    /// </remarks>
    private static async Task LaneLoopAsync(LaneChain chain, ChannelReader<LaneMessage> reader, ConcurrentQueue<LaneMessage> pool,
        ConcurrentQueue<BatchTicket> tickets, PipelineStatistics statistics, int lane, CancellationTokenSource stop)
    {
        try
        {
            while (await reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    Interlocked.Decrement(ref statistics.QueueDepths[lane]);
                    try
                    {
                        if (message.Batch is not null)
                        {
                            chain.Process(message.Batch, message.Rows.AsSpan(0, message.Count), message.AllRows, message.Sequence);
                        }

                        chain.AdvanceWatermark(message.Watermark);
                    }
                    finally
                    {
                        if (message.Ticket is { } ticket && ticket.Done())
                        {
                            tickets.Enqueue(ticket);
                        }

                        message.Clear();
                        pool.Enqueue(message);
                    }
                }
            }

            stop.Token.ThrowIfCancellationRequested();
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class LaneMessage
    {
        public RecordBatch? Batch;
        public BatchTicket? Ticket;
        public int[] Rows = [];
        public int Count;
        public bool AllRows;
        public long Sequence;
        public long Watermark;

        public void Set(RecordBatch? batch, BatchTicket? ticket, long sequence, long watermark)
        {
            Batch = batch;
            Ticket = ticket;
            Sequence = sequence;
            Watermark = watermark;
            Count = 0;
            AllRows = false;
        }

        public void Clear()
        {
            Batch = null;
            Ticket = null;
        }
    }

    private sealed class BatchTicket
    {
        private BatchSource? _source;
        private SourceBatch _batch;
        private int _remaining;

        public void Arm(BatchSource source, SourceBatch batch, int receivers)
        {
            _source = source;
            _batch = batch;
            Volatile.Write(ref _remaining, receivers);
        }

        public bool Done()
        {
            if (Interlocked.Decrement(ref _remaining) != 0)
            {
                return false;
            }

            _source!.Release(_batch);
            _source = null;
            _batch = default;
            return true;
        }
    }
}
