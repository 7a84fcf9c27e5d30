using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Diagnostics;

namespace SmartCity.Streams.Pipeline;

/// <summary>
/// A synchronous run of a pipeline on the calling thread: push record batches in with
/// <see cref="Process"/>, end with <see cref="Complete"/>. Not thread-safe; one caller at a time.
/// </summary>
/// <remarks>
/// The watermark advances after each batch (largest event time seen minus the out-of-orderness, minimum over
/// partitions). If an operator throws, the call throws an <see cref="OperatorException"/>, the sinks are
/// completed with that error, and the run refuses further input; everything emitted before stays delivered.
/// </remarks>
public sealed class PipelineRun : IDisposable
{
    private readonly StreamPipeline _pipeline;
    private readonly LaneChain[] _lanes;
    private readonly SinkHub _sinks;
    private readonly WatermarkTracker _tracker;
    private readonly LanePartitioner? _partitioner;
    private readonly ArrowBatchBinder? _timeBinder;
    private readonly int[][] _rows;
    private readonly int[] _counts;
    private readonly IDisposable _metrics;
    private long _sequence;
    private Exception? _fault;
    private bool _completed;

    internal PipelineRun(StreamPipeline pipeline, int lanes, int partitions, bool concurrent)
    {
        _pipeline = pipeline;
        Statistics = new PipelineStatistics(lanes);
        _sinks = new SinkHub(pipeline.EventSinks, pipeline.BatchSinks, pipeline.LateSinks, concurrent);
        _lanes = new LaneChain[lanes];
        for (var i = 0; i < lanes; i++)
        {
            _lanes[i] = new LaneChain(pipeline, i, lanes, Statistics.Lanes[i], _sinks);
        }

        _tracker = new WatermarkTracker(partitions, pipeline.OutOfOrderness, pipeline.IdleTimeout, pipeline.Clock);
        _rows = new int[lanes][];
        _counts = new int[lanes];
        for (var i = 0; i < lanes; i++)
        {
            _rows[i] = [];
        }

        if (lanes > 1)
        {
            _partitioner = new LanePartitioner(pipeline.Input, lanes);
            _timeBinder = new ArrowBatchBinder(pipeline.Input, new KeyIndex());
        }

        _metrics = StreamMetrics.Register(pipeline.Name, Statistics);
    }

    /// <summary>Counters of this run.</summary>
    public PipelineStatistics Statistics { get; }

    /// <summary>Current watermark (microseconds since the epoch).</summary>
    public long Watermark => _tracker.Current;

    /// <summary>Number of lanes.</summary>
    public int LaneCount => _lanes.Length;

    internal IReadOnlyList<LaneChain> Lanes => _lanes;

    /// <summary>Processes one record batch from source partition <paramref name="partition"/>.</summary>
    /// <exception cref="SchemaMismatchException">The batch lacks a bound column or has a wrong type (nothing of it was processed).</exception>
    /// <exception cref="OperatorException">An operator failed.</exception>
    public void Process(RecordBatch batch, int partition = 0)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        EnsureRunning();
        Statistics.AddSourceBatch();
        var sequence = _sequence++;
        try
        {
            long max;
            if (_partitioner is null)
            {
                max = _lanes[0].Process(batch, default, true, sequence);
            }
            else
            {
                max = _pipeline.TracksWatermark ? MaxTime(_timeBinder!.Bind(batch, default, true, sequence).Times) : EventTime.MinValue;
                _partitioner.Split(batch, _rows, _counts);
                for (var lane = 0; lane < _lanes.Length; lane++)
                {
                    if (_counts[lane] > 0)
                    {
                        _lanes[lane].Process(batch, _rows[lane].AsSpan(0, _counts[lane]), false, sequence);
                    }
                }
            }

            if (max != EventTime.MinValue)
            {
                AdvanceLanes(_tracker.Observe(partition, max));
            }
        }
        catch (OperatorException e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Moves the watermark forward explicitly (for example when the application knows a period is complete).
    /// Never moves it back.
    /// </summary>
    public void AdvanceWatermark(long watermark)
    {
        EnsureRunning();
        _tracker.AdvanceTo(watermark);
        try
        {
            AdvanceLanes(_tracker.Current);
        }
        catch (OperatorException e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>Ends the stream: operators flush what is open, then the sinks complete.</summary>
    public void Complete()
    {
        EnsureRunning();
        try
        {
            foreach (var lane in _lanes)
            {
                lane.Complete();
            }
        }
        catch (OperatorException e)
        {
            Fail(e);
            throw;
        }

        _completed = true;
        _sinks.Complete(null);
        _metrics.Dispose();
    }

    /// <summary>Writes a snapshot of every lane's key index and operator state, and the watermark.</summary>
    public void SaveState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureRunning();
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(SnapshotMagic);
        writer.Write(SnapshotVersion);
        writer.Write(_pipeline.Name);
        writer.Write(_lanes.Length);
        writer.Write(_tracker.Current);
        writer.Write(_tracker.MaxEventTime);
        writer.Write(_sequence);
        _tracker.Save(writer);
        foreach (var lane in _lanes)
        {
            lane.Save(writer);
        }
    }

    /// <summary>Restores a snapshot written by <see cref="SaveState"/> into this fresh run.</summary>
    /// <exception cref="InvalidDataException">The snapshot is corrupt or from another pipeline or lane count.</exception>
    public void RestoreState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureRunning();
        if (_sequence != 0)
        {
            throw new InvalidOperationException("State can only be restored into a run that has not processed any batch yet.");
        }

        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadInt32() != SnapshotMagic)
            {
                throw new InvalidDataException("The stream is not a SmartCity.Streams snapshot (bad magic number).");
            }

            var version = reader.ReadInt32();
            if (version is not (1 or SnapshotVersion))
            {
                throw new InvalidDataException($"The snapshot has format version {version}; this library reads versions 1 to {SnapshotVersion}.");
            }

            var name = reader.ReadString();
            var lanes = reader.ReadInt32();
            if (lanes != _lanes.Length)
            {
                throw new InvalidDataException($"The snapshot of pipeline '{name}' was taken with {lanes} lanes; this run has {_lanes.Length}. Restore with the same lane count.");
            }

            var watermark = reader.ReadInt64();
            var max = reader.ReadInt64();
            _sequence = reader.ReadInt64();
            _tracker.Restore(watermark, max);
            if (version >= 2)
            {
                _tracker.Load(reader);
            }

            foreach (var lane in _lanes)
            {
                lane.Load(reader);
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The snapshot is truncated.", e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_completed && _fault is null)
        {
            _completed = true;
            _sinks.Complete(null);
        }

        _metrics.Dispose();
    }

    internal void Fail(Exception error)
    {
        if (_fault is not null)
        {
            return;
        }

        _fault = error;
        _sinks.Complete(error);
        _metrics.Dispose();
    }

    internal void AdvanceLanes(long watermark)
    {
        Statistics.SetWatermark(watermark, _tracker.MaxEventTime);
        foreach (var lane in _lanes)
        {
            lane.AdvanceWatermark(watermark);
        }
    }

    private const int SnapshotMagic = 0x53435353; // "SCSS"
    private const int SnapshotVersion = 2;

    private void EnsureRunning()
    {
        if (_fault is not null)
        {
            throw new InvalidOperationException("The run failed earlier and accepts no more input: " + _fault.Message, _fault);
        }

        if (_completed)
        {
            throw new InvalidOperationException("The run is already complete.");
        }
    }

    internal static long MaxTime(ReadOnlySpan<long> times) => Internal.SpanMath.Max(times);
}
