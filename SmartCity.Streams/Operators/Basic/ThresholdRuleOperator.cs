using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Operators.Basic;

/// <summary>
/// Emits an event per sensor when a column crosses a threshold, with an optional sustain time (beyond the
/// threshold for a while before opening), hysteresis (separate resolve level), optional resolve delay and
/// cooldown: open → update (when the excess grows by another threshold-to-resolve
/// span) → resolve. Forwards its input unchanged. NaN values are ignored.
/// </summary>
/// <remarks>
/// The event's score is the excess over the resolve level relative to the hysteresis band, mapped to [0, 1):
/// 0.5 at the threshold, approaching 1 far beyond it.
/// </remarks>
public sealed class ThresholdRuleOperator : StreamOperator
{
    /// <summary>Creates the rule.</summary>
    public ThresholdRuleOperator(string name, ThresholdRuleOptions options)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(name);
        Options = options;
    }

    /// <summary>The options.</summary>
    public ThresholdRuleOptions Options { get; }

    /// <inheritdoc />
    public override bool UsesWatermark => false;

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Require(Options.Column, ColumnType.Float64, Name);
        return input;
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, this);

    private sealed class Instance : OperatorInstance
    {
        private readonly int _column;
        private readonly double _sign;
        private readonly double _resolveLevel;
        private readonly double _band;
        private readonly EventLifecycle _lifecycle;
        private readonly ThresholdRuleOptions _options;
        private readonly string _name;

        public Instance(OperatorContext context, ThresholdRuleOperator definition)
            : base(context)
        {
            _options = definition.Options;
            _name = definition.Name;
            _column = context.InputSchema.Require(_options.Column, ColumnType.Float64, definition.Name);
            _sign = _options.Direction == ThresholdDirection.Above ? 1 : -1;
            var open = _sign * _options.Threshold;
            _resolveLevel = _sign * (_options.ResolveAt ?? _options.Threshold);
            _band = Math.Max(open - _resolveLevel, Math.Max(Math.Abs(open) * 0.05, 1e-9));
            _lifecycle = new EventLifecycle(open, _resolveLevel, _options.ResolveAfter, _options.Cooldown, _band, _options.OpenAfter);
        }

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            var keys = batch.Keys;
            var times = batch.Times;
            var values = batch.GetDoubles(_column);
            for (var i = 0; i < keys.Length; i++)
            {
                var v = values[i];
                if (double.IsNaN(v))
                {
                    continue;
                }

                var transition = _lifecycle.Observe(keys[i], times[i], _sign * v);
                if (transition != EventTransition.None)
                {
                    Emit(output, batch, keys[i], times[i], v, transition);
                }
            }

            output.Emit(batch);
        }

        protected override void WriteState(BinaryWriter writer) => _lifecycle.Write(writer);

        protected override void ReadState(BinaryReader reader, int version) => _lifecycle.Read(reader);

        private void Emit(OperatorOutput output, StreamBatch batch, int key, long time, double value, EventTransition transition)
        {
            var excess = ((_sign * value) - _resolveLevel) / _band;
            var score = excess <= 0 ? 0 : excess / (1 + excess);
            var phase = transition switch
            {
                EventTransition.Open => EventPhase.Open,
                EventTransition.Update => EventPhase.Update,
                _ => EventPhase.Resolve,
            };
            output.Emit(new CityEvent(_options.Kind, _options.Category, phase, batch.KeyIndex[key], _lifecycle.OpenedAt(key), time, 0,
                score, value, _options.ResolveAt ?? _options.Threshold, _name));
        }
    }
}
