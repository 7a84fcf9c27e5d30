using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>The per-lane state of a <see cref="ForecastOperator"/>: a forecaster and a reused output buffer.</summary>
internal sealed class ForecastInstance : OperatorInstance
{
    private readonly OnlineForecaster _forecaster;
    private readonly int _column;
    private readonly int _model;
    private readonly RoadEdge[] _edges;
    private readonly BatchBuffer _buffer;
    private long _maxTime = EventTime.MinValue;
    private long _late;
    private long _sequence;
    private int _graphKeys = -1;

    public ForecastInstance(OperatorContext context, ForecastOperator definition, RoadEdge[] edges)
        : base(context)
    {
        _forecaster = new OnlineForecaster(definition.Options);
        _column = context.InputSchema.Require(definition.Column, ColumnType.Float64, definition.Name);
        _model = _forecaster.IndexOf(definition.Output);
        _edges = edges;
        _buffer = new BatchBuffer(context.OutputSchema, context.KeyIndex, 1024);
    }

    protected override void OnBatch(StreamBatch batch, OperatorOutput output)
    {
        ReadOnlySpan<long> times = batch.Times;
        _forecaster.Update(batch.Keys, times, batch.GetDoubles(_column));
        for (int i = 0; i < times.Length; i++)
        {
            if (times[i] > _maxTime)
            {
                _maxTime = times[i];
            }
        }

        long late = _forecaster.LateReadings;
        if (late != _late)
        {
            Context.Counters.AddLate(late - _late);
            _late = late;
        }

        if (_edges.Length > 0 && batch.KeyIndex.Count != _graphKeys)
        {
            RebuildGraph(batch.KeyIndex);
        }
    }

    protected override void OnWatermark(long watermark, OperatorOutput output) => Drain(watermark, output);

    protected override void OnCompleted(OperatorOutput output)
    {
        if (_maxTime != EventTime.MinValue)
        {
            Drain(_maxTime + _forecaster.StepMicros, output);
        }
    }

    protected override void WriteState(BinaryWriter writer)
    {
        writer.Write(_maxTime);
        writer.Write(_late);
        writer.Write(_sequence);
        _forecaster.WriteState(writer);
    }

    protected override void ReadState(BinaryReader reader, int version)
    {
        _maxTime = reader.ReadInt64();
        _late = reader.ReadInt64();
        _sequence = reader.ReadInt64();
        _forecaster.ReadState(reader);
        _graphKeys = -1;
        if (_edges.Length > 0)
        {
            RebuildGraph(Context.KeyIndex);
        }
    }

    private void Drain(long watermark, OperatorOutput output)
    {
        while (_forecaster.TryAdvance(watermark))
        {
            _buffer.Clear(_sequence++);
            long issuedAt = _forecaster.IssuedAtMicros;
            long step = _forecaster.StepMicros;
            int h = _forecaster.Horizon;
            ReadOnlySpan<double> point = _forecaster.Forecasts(_model);
            ReadOnlySpan<double> lower = _forecaster.Lower(_model);
            ReadOnlySpan<double> upper = _forecaster.Upper(_model);
            for (int k = 0; k < _forecaster.KeyCount; k++)
            {
                if (!_forecaster.HasValue(k))
                {
                    continue;
                }

                for (int j = 0; j < h; j++)
                {
                    int i = (k * h) + j;
                    int row = _buffer.Append(k, issuedAt);
                    _buffer.SetInt64(0, row, issuedAt);
                    _buffer.SetInt64(1, row, issuedAt + ((j + 1) * step));
                    _buffer.SetInt64(2, row, j + 1);
                    _buffer.SetDouble(3, row, point[i]);
                    _buffer.SetDouble(4, row, lower[i]);
                    _buffer.SetDouble(5, row, upper[i]);
                }
            }

            if (_buffer.Count > 0)
            {
                output.Emit(_buffer.Batch);
            }
        }
    }

    /// <summary>Maps the sensor-id edges onto the lane's dense keys; runs only when the lane has seen new sensors.</summary>
    private void RebuildGraph(KeyIndex index)
    {
        int count = index.Count;
        var dense = new Dictionary<SensorId, int>(count);
        for (int d = 0; d < count; d++)
        {
            dense[index[d]] = d;
        }

        var from = new List<int>();
        var to = new List<int>();
        var weight = new List<double>();
        foreach (RoadEdge edge in _edges)
        {
            if (dense.TryGetValue(edge.From, out int a) && dense.TryGetValue(edge.To, out int b))
            {
                from.Add(a);
                to.Add(b);
                weight.Add(edge.Weight);
            }
        }

        _forecaster.SetGraph(RoadGraph.FromEdges(count, from.ToArray(), to.ToArray(), weight.ToArray()));
        _graphKeys = count;
    }
}
