using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Diagnostics;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators;

namespace SmartCity.Streams.Pipeline;

/// <summary>
/// One lane: its key index, its binder and its chain of operator instances. Single-threaded; owns its state.
/// </summary>
internal sealed class LaneChain
{
    private readonly OperatorInstance[] _operators;
    private readonly OperatorOutput[] _outputs;
    private readonly string[] _names;
    private readonly ArrowBatchBinder _binder;
    private readonly SinkHub _sinks;
    private readonly bool _tracksWatermark;
    private long _sequence;

    public LaneChain(StreamPipeline pipeline, int lane, int laneCount, LaneCounters counters, SinkHub sinks)
    {
        Lane = lane;
        Counters = counters;
        _sinks = sinks;
        _tracksWatermark = pipeline.TracksWatermark;
        KeyIndex = new KeyIndex();
        _binder = new ArrowBatchBinder(pipeline.Input, KeyIndex);
        var definitions = pipeline.Operators;
        _operators = new OperatorInstance[definitions.Count];
        _outputs = new OperatorOutput[definitions.Count];
        _names = new string[definitions.Count];
        for (var i = 0; i < definitions.Count; i++)
        {
            var context = new OperatorContext(definitions[i].Name, pipeline.Schemas[i], pipeline.Schemas[i + 1], KeyIndex, lane, laneCount, counters, pipeline.Clock);
            _operators[i] = definitions[i].CreateInstance(context)
                ?? throw new InvalidOperationException($"Operator '{definitions[i].Name}' returned no instance from CreateInstance.");
            _outputs[i] = new OperatorOutput(this, i);
            _names[i] = definitions[i].Name;
        }
    }

    public int Lane { get; }

    public KeyIndex KeyIndex { get; }

    public LaneCounters Counters { get; }

    public EventBuffer Events { get; } = new();

    public long Watermark { get; private set; } = EventTime.MinValue;

    /// <summary>Binds and processes this lane's rows of a source batch; returns the newest event time among them.</summary>
    public long Process(RecordBatch batch, ReadOnlySpan<int> rows, bool allRows, long sequence)
    {
        _sequence = sequence;
        var bound = _binder.Bind(batch, rows, allRows, sequence);
        if (_binder.LastRejected > 0)
        {
            Counters.AddRejected(_binder.LastRejected);
        }

        Counters.AddBatch(bound.Length);
        var max = EventTime.MinValue;
        if (bound.Length > 0)
        {
            Forward(0, bound);
            if (_tracksWatermark)
            {
                max = Internal.SpanMath.Max(bound.Times);
            }
        }

        Flush();
        return max;
    }

    public void Forward(int stage, StreamBatch batch)
    {
        if (stage == _operators.Length)
        {
            Counters.AddRowsOut(batch.Length);
            if (_sinks.HasBatchSinks)
            {
                _sinks.Batch(batch);
            }

            return;
        }

        try
        {
            _operators[stage].InvokeBatch(batch, _outputs[stage]);
        }
        catch (Exception e) when (e is not OperatorException)
        {
            throw new OperatorException(_names[stage], "OnBatch", Lane, _sequence, e);
        }
    }

    public void Late(StreamBatch batch)
    {
        Counters.AddLate(batch.Length);
        if (_sinks.HasLateSinks)
        {
            _sinks.Late(batch);
        }
    }

    public void AdvanceWatermark(long watermark)
    {
        if (watermark <= Watermark)
        {
            return;
        }

        Watermark = watermark;
        for (var i = 0; i < _operators.Length; i++)
        {
            try
            {
                _operators[i].InvokeWatermark(watermark, _outputs[i]);
            }
            catch (Exception e) when (e is not OperatorException)
            {
                throw new OperatorException(_names[i], "OnWatermark", Lane, _sequence, e);
            }
        }

        Flush();
    }

    public void Complete()
    {
        for (var i = 0; i < _operators.Length; i++)
        {
            try
            {
                _operators[i].InvokeCompleted(_outputs[i]);
            }
            catch (Exception e) when (e is not OperatorException)
            {
                throw new OperatorException(_names[i], "OnCompleted", Lane, _sequence, e);
            }
        }

        Flush();
    }

    public void Save(BinaryWriter writer)
    {
        writer.Write(Lane);
        writer.Write(Watermark);
        KeyIndex.Write(writer);
        writer.Write(_operators.Length);
        foreach (var op in _operators)
        {
            op.Save(writer);
        }
    }

    public void Load(BinaryReader reader)
    {
        var lane = reader.ReadInt32();
        if (lane != Lane)
        {
            throw new InvalidDataException($"The snapshot holds lane {lane} where lane {Lane} was expected.");
        }

        Watermark = reader.ReadInt64();
        KeyIndex.Read(reader);
        var count = reader.ReadInt32();
        if (count != _operators.Length)
        {
            throw new InvalidDataException($"The snapshot holds {count} operators but the pipeline has {_operators.Length}; it was taken from a different pipeline.");
        }

        foreach (var op in _operators)
        {
            op.Load(reader);
        }
    }

    private void Flush()
    {
        if (Events.Count == 0)
        {
            return;
        }

        Counters.AddEvents(Events.Count);
        _sinks.Events(Events.Items);
        Events.Clear();
    }
}
