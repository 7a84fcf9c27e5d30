using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Checks a measure for sensor faults (<see cref="SensorFaultDetector"/>): adds an Int64 column of
/// <see cref="SensorFaults"/> flags per row and emits <see cref="EventCategory.SensorFault"/> risk events — opened by a
/// faulty reading, or by the watermark passing a sensor's expected next reading by more than the allowed gap (a silent
/// sensor is reported although it sends nothing), resolved by the next healthy reading.
/// </summary>
/// <remarks>Event score: 1 for out of range and impossible jumps, 0.8 for a silent or gapped sensor, 0.6 for a flat
/// line; observed = the reading (NaN for silence), expected = the sensor's last good value.</remarks>
public sealed class SensorFaultOperator : StreamOperator
{
    /// <summary>Creates the operator.</summary>
    public SensorFaultOperator(string name, string column, SensorFaultOptions? options = null, TimeSpan? cooldown = null)
        : base(name)
    {
        if (string.IsNullOrWhiteSpace(column))
        {
            throw new PipelineConfigurationException($"Sensor faults '{name}': the column name is empty.");
        }

        Column = column;
        Options = options ?? new SensorFaultOptions();
        try
        {
            Options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new PipelineConfigurationException($"Sensor faults '{name}': {e.Message}");
        }

        Cooldown = cooldown ?? TimeSpan.Zero;
        if (Cooldown < TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"Sensor faults '{name}': the cooldown must not be negative.");
        }
    }

    /// <summary>The measure checked.</summary>
    public string Column { get; }

    /// <summary>The options.</summary>
    public SensorFaultOptions Options { get; }

    /// <summary>After a fault resolves, no new fault event opens for this sensor for this long. Default 0.</summary>
    public TimeSpan Cooldown { get; }

    /// <summary>Name of the flags column: <c>{column}_faults</c>.</summary>
    public string OutputColumn => Column + "_faults";

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Require(Column, ColumnType.Float64, Name);
        return BatchExtender.Extend(input, [new ColumnInfo(OutputColumn, ColumnType.Int64)]);
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, this);

    /// <summary>Severity of a set of faults, as used for the events.</summary>
    public static double Severity(SensorFaults faults) =>
        (faults & (SensorFaults.OutOfRange | SensorFaults.ImpossibleJump)) != 0 ? 1.0
        : (faults & SensorFaults.Missing) != 0 ? 0.8
        : (faults & SensorFaults.FlatLine) != 0 ? 0.6
        : 0.0;

    private sealed class Instance : OperatorInstance
    {
        private readonly int _column;
        private readonly SensorFaultDetector _detector;
        private readonly EventLifecycle _lifecycle;
        private readonly BatchExtender _extender;
        private readonly string _name;
        private readonly int[] _silent = new int[256];
        private SensorFaults[] _faults = new SensorFaults[1024];
        private double[] _previous = new double[1024];

        public Instance(OperatorContext context, SensorFaultOperator definition)
            : base(context)
        {
            _column = context.InputSchema.Require(definition.Column, ColumnType.Float64, definition.Name);
            _detector = new SensorFaultDetector(definition.Options);
            // Any fault opens (scores are >= 0.6); the first healthy reading (score 0) resolves.
            _lifecycle = new EventLifecycle(0.5, 0.5, TimeSpan.Zero, definition.Cooldown, double.PositiveInfinity);
            _extender = new BatchExtender(context.InputSchema, context.KeyIndex, [new ColumnInfo(definition.OutputColumn, ColumnType.Int64)]);
            _name = definition.Name;
        }

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            _extender.Begin(batch);
            ReadOnlySpan<int> keys = batch.Keys;
            ReadOnlySpan<long> times = batch.Times;
            ReadOnlySpan<double> values = batch.GetDoubles(_column);
            int n = keys.Length;
            if (_faults.Length < n)
            {
                _faults = new SensorFaults[Math.Max(n, _faults.Length * 2)];
                _previous = new double[_faults.Length];
            }

            Span<SensorFaults> faults = _faults.AsSpan(0, n);
            Span<double> previous = _previous.AsSpan(0, n);
            Span<long> flags = _extender.GetInt64s(0);
            // The event's expected value is the key's last good reading before the faulty one.
            _detector.Check(keys, times, values, faults, previous);
            for (int i = 0; i < n; i++)
            {
                flags[i] = (long)faults[i];
                double severity = Severity(faults[i]);
                EventTransition transition = _lifecycle.Observe(keys[i], times[i], severity);
                if (transition != EventTransition.None)
                {
                    Emit(output, batch.KeyIndex[keys[i]], keys[i], times[i], severity, values[i], previous[i], transition);
                }
            }

            output.Emit(_extender.Batch);
        }

        protected override void OnWatermark(long watermark, OperatorOutput output)
        {
            int found;
            do
            {
                found = _detector.FindSilent(watermark, _silent);
                for (int j = 0; j < found; j++)
                {
                    int key = _silent[j];
                    if (_lifecycle.Observe(key, watermark, 0.8) == EventTransition.Open)
                    {
                        Emit(output, Context.KeyIndex[key], key, watermark, 0.8, double.NaN, _detector.LastValue(key), EventTransition.Open);
                    }
                }
            }
            while (found == _silent.Length);
        }

        protected override void WriteState(BinaryWriter writer)
        {
            _detector.Snapshot(writer);
            _lifecycle.Write(writer);
        }

        protected override void ReadState(BinaryReader reader, int version)
        {
            _detector.Restore(reader);
            _lifecycle.Read(reader);
        }

        private void Emit(OperatorOutput output, SensorId sensor, int key, long time, double severity, double observed, double expected, EventTransition transition)
        {
            EventPhase phase = transition switch
            {
                EventTransition.Open => EventPhase.Open,
                EventTransition.Update => EventPhase.Update,
                _ => EventPhase.Resolve,
            };
            output.Emit(new CityEvent(EventKind.Risk, EventCategory.SensorFault, phase, sensor, _lifecycle.OpenedAt(key), time, 0,
                phase == EventPhase.Resolve ? _lifecycle.Peak(key) : severity, observed, expected, _name));
        }
    }
}
