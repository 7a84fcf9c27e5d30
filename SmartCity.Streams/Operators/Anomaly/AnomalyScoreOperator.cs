using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Runs an <see cref="AnomalyDetector"/> per sensor over a measure: adds a score column in [0, 1] and emits risk
/// events (open → update → resolve, with hysteresis and cooldown) when a sensor's score crosses the thresholds of
/// <see cref="AnomalyScoreOptions.Lifecycle"/>.
/// </summary>
/// <remarks>
/// Each lane gets its own detector from <c>detectorFactory</c> (default: <see cref="EnsembleDetector"/>), so the
/// factory must return a new instance on every call. NaN readings score 0. The batch is forwarded extended by the
/// score column; the event's score is the peak score of the condition so far, observed = the reading.
/// </remarks>
public sealed class AnomalyScoreOperator : StreamOperator
{
    private readonly Func<AnomalyDetector> _factory;

    /// <summary>Creates the operator.</summary>
    /// <param name="name">Operator name.</param>
    /// <param name="column">The Float64 measure to score.</param>
    /// <param name="detectorFactory">Creates one detector per lane; default <c>() =&gt; new EnsembleDetector()</c>.</param>
    /// <param name="options">Options; defaults when null.</param>
    public AnomalyScoreOperator(string name, string column, Func<AnomalyDetector>? detectorFactory = null, AnomalyScoreOptions? options = null)
        : base(name)
    {
        if (string.IsNullOrWhiteSpace(column))
        {
            throw new PipelineConfigurationException($"Anomaly '{name}': the column name is empty.");
        }

        Column = column;
        Options = options ?? new AnomalyScoreOptions();
        Options.Validate(name);
        _factory = detectorFactory ?? (static () => new EnsembleDetector());
    }

    /// <summary>The measure scored.</summary>
    public string Column { get; }

    /// <summary>The options.</summary>
    public AnomalyScoreOptions Options { get; }

    /// <summary>Name of the score column.</summary>
    public string OutputColumn => Options.OutputColumn ?? Column + "_anomaly";

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Require(Column, ColumnType.Float64, Name);
        return BatchExtender.Extend(input, [new ColumnInfo(OutputColumn, ColumnType.Float64)]);
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, this);

    private sealed class Instance : OperatorInstance
    {
        private readonly int _column;
        private readonly AnomalyDetector _detector;
        private readonly EventLifecycle _lifecycle;
        private readonly BatchExtender _extender;
        private readonly AnomalyScoreOptions _options;
        private readonly string _name;
        private readonly long _warmUp;
        private long[] _firstSeen = [];

        public Instance(OperatorContext context, AnomalyScoreOperator definition)
            : base(context)
        {
            _column = context.InputSchema.Require(definition.Column, ColumnType.Float64, definition.Name);
            _detector = definition._factory() ?? throw new PipelineConfigurationException($"Anomaly '{definition.Name}': the detector factory returned null.");
            _lifecycle = new EventLifecycle(definition.Options.Lifecycle);
            _extender = new BatchExtender(context.InputSchema, context.KeyIndex, [new ColumnInfo(definition.OutputColumn, ColumnType.Float64)]);
            _options = definition.Options;
            _name = definition.Name;
            _warmUp = EventTime.FromTimeSpan(definition.Options.EventWarmUp);
        }

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            _extender.Begin(batch);
            ReadOnlySpan<int> keys = batch.Keys;
            ReadOnlySpan<long> times = batch.Times;
            ReadOnlySpan<double> values = batch.GetDoubles(_column);
            Span<double> scores = _extender.GetDoubles(0);
            _detector.Score(keys, times, values, scores);
            if (_options.EmitEvents)
            {
                if (_firstSeen.Length < batch.KeyIndex.Count)
                {
                    int old = _firstSeen.Length;
                    Array.Resize(ref _firstSeen, Math.Max(batch.KeyIndex.Count, old * 2));
                    _firstSeen.AsSpan(old).Fill(long.MinValue);
                }

                long[] firstSeen = _firstSeen;
                for (int i = 0; i < keys.Length; i++)
                {
                    if (double.IsNaN(values[i]))
                    {
                        continue;
                    }

                    int key = keys[i];
                    if (firstSeen[key] == long.MinValue)
                    {
                        firstSeen[key] = times[i];
                    }

                    if (times[i] - firstSeen[key] < _warmUp)
                    {
                        continue;
                    }

                    EventTransition transition = _lifecycle.Observe(keys[i], times[i], scores[i]);
                    if (transition != EventTransition.None)
                    {
                        EmitEvent(output, batch, keys[i], times[i], values[i], transition);
                    }
                }
            }

            output.Emit(_extender.Batch);
        }

        protected override void WriteState(BinaryWriter writer)
        {
            _detector.Snapshot(writer);
            _lifecycle.Write(writer);
            writer.WriteArray<long>(_firstSeen);
        }

        protected override void ReadState(BinaryReader reader, int version)
        {
            _detector.Restore(reader);
            _lifecycle.Read(reader);
            _firstSeen = reader.ReadArray<long>();
        }

        private void EmitEvent(OperatorOutput output, StreamBatch batch, int key, long time, double value, EventTransition transition)
        {
            EventPhase phase = transition switch
            {
                EventTransition.Open => EventPhase.Open,
                EventTransition.Update => EventPhase.Update,
                _ => EventPhase.Resolve,
            };
            output.Emit(new CityEvent(EventKind.Risk, _options.Category, phase, batch.KeyIndex[key], _lifecycle.OpenedAt(key), time, 0,
                _lifecycle.Peak(key), value, double.NaN, _name));
        }
    }
}
