using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Diagnostics;

/// <summary>Totals of a pipeline run over all lanes, readable while it runs.</summary>
public sealed class PipelineStatistics
{
    private readonly LaneCounters[] _lanes;
    private long _watermark = EventTime.MinValue;
    private long _maxEventTime = EventTime.MinValue;
    private long _sourceBatches;
    private long _sourceRowsRejected;

    internal PipelineStatistics(int laneCount)
    {
        _lanes = new LaneCounters[laneCount];
        for (var i = 0; i < laneCount; i++)
        {
            _lanes[i] = new LaneCounters();
        }

        QueueDepths = new int[laneCount];
    }

    /// <summary>Per-lane counters.</summary>
    public IReadOnlyList<LaneCounters> Lanes => _lanes;

    /// <summary>Rows accepted, all lanes; rows rejected as invalid count in <see cref="RowsRejected"/> only.</summary>
    public long RowsIn => Sum(static c => c.RowsIn);

    /// <summary>Batches read from the source.</summary>
    public long Batches => Volatile.Read(ref _sourceBatches);

    /// <summary>Rows rejected, all lanes and the source.</summary>
    public long RowsRejected => Sum(static c => c.RowsRejected) + Volatile.Read(ref _sourceRowsRejected);

    /// <summary>Measure values skipped by operators.</summary>
    public long ValuesSkipped => Sum(static c => c.ValuesSkipped);

    /// <summary>Rows sent to the late-data output.</summary>
    public long RowsLate => Sum(static c => c.RowsLate);

    /// <summary>Events emitted.</summary>
    public long EventsOut => Sum(static c => c.EventsOut);

    /// <summary>Rows that reached the end of the operator chain.</summary>
    public long RowsOut => Sum(static c => c.RowsOut);

    /// <summary>Current watermark (microseconds since the epoch).</summary>
    public long Watermark => Volatile.Read(ref _watermark);

    /// <summary>Largest event time seen.</summary>
    public long MaxEventTime => Volatile.Read(ref _maxEventTime);

    /// <summary>How far the watermark trails the newest event (event time), the configured out-of-orderness at least.</summary>
    public TimeSpan WatermarkLag => Watermark == EventTime.MinValue || MaxEventTime == EventTime.MinValue
        ? TimeSpan.Zero
        : EventTime.ToTimeSpan(MaxEventTime - Watermark);

    internal int[] QueueDepths { get; }

    /// <summary>Batches waiting in each lane's queue (multi-lane runs).</summary>
    public int QueueDepth(int lane) => Volatile.Read(ref QueueDepths[lane]);

    internal void SetWatermark(long watermark, long maxEventTime)
    {
        Volatile.Write(ref _watermark, watermark);
        Volatile.Write(ref _maxEventTime, maxEventTime);
    }

    internal void AddSourceBatch() => Interlocked.Increment(ref _sourceBatches);

    internal void AddSourceRejected(long rows) => Interlocked.Add(ref _sourceRowsRejected, rows);

    private long Sum(Func<LaneCounters, long> read)
    {
        long total = 0;
        foreach (var lane in _lanes)
        {
            total += read(lane);
        }

        return total;
    }
}
