namespace SmartCity.Streams.Diagnostics;

/// <summary>
/// Counters of one lane. Written only by the lane's thread (plain adds, no interlocked operations on the hot
/// path) and read by <see cref="PipelineStatistics"/> and the metrics callbacks.
/// </summary>
public sealed class LaneCounters
{
    private long _rowsIn;
    private long _batches;
    private long _rowsRejected;
    private long _valuesSkipped;
    private long _rowsLate;
    private long _eventsOut;
    private long _rowsOut;

    /// <summary>Rows accepted by the lane (a valid key and time); rejected rows count in <see cref="RowsRejected"/> only.</summary>
    public long RowsIn => Volatile.Read(ref _rowsIn);

    /// <summary>Batches received by the lane.</summary>
    public long Batches => Volatile.Read(ref _batches);

    /// <summary>Rows rejected as a whole (null key or time, unparsable input).</summary>
    public long RowsRejected => Volatile.Read(ref _rowsRejected);

    /// <summary>Measure values skipped by operators (null, NaN or infinite).</summary>
    public long ValuesSkipped => Volatile.Read(ref _valuesSkipped);

    /// <summary>Rows that arrived after the allowed lateness and went to the late-data output.</summary>
    public long RowsLate => Volatile.Read(ref _rowsLate);

    /// <summary>Events emitted by the lane.</summary>
    public long EventsOut => Volatile.Read(ref _eventsOut);

    /// <summary>Rows that reached the end of the operator chain.</summary>
    public long RowsOut => Volatile.Read(ref _rowsOut);

    /// <summary>Adds rejected rows.</summary>
    public void AddRejected(long rows) => Volatile.Write(ref _rowsRejected, _rowsRejected + rows);

    /// <summary>Adds skipped measure values.</summary>
    public void AddSkipped(long values) => Volatile.Write(ref _valuesSkipped, _valuesSkipped + values);

    /// <summary>Adds late rows.</summary>
    public void AddLate(long rows) => Volatile.Write(ref _rowsLate, _rowsLate + rows);

    internal void AddBatch(long rows)
    {
        Volatile.Write(ref _rowsIn, _rowsIn + rows);
        Volatile.Write(ref _batches, _batches + 1);
    }

    internal void AddEvents(long events) => Volatile.Write(ref _eventsOut, _eventsOut + events);

    internal void AddRowsOut(long rows) => Volatile.Write(ref _rowsOut, _rowsOut + rows);
}
