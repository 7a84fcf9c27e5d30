using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SmartCity.Streams.Batches;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Basic;

/// <summary>
/// Per-sensor exponentially weighted mean and variance of a measure, with the z-score of each reading
/// against the sensor's estimate <i>before</i> that reading (so a spike is measured against the past, not
/// against itself).
/// </summary>
/// <remarks>
/// Adds <c>{prefix}_mean</c>, <c>{prefix}_std</c> and <c>{prefix}_z</c>. Non-finite readings (null, NaN,
/// ±Infinity) leave the state unchanged, get NaN outputs and are counted as skipped values. A sensor's
/// z-score is NaN for its first <see cref="EwmaOptions.WarmUp"/> readings, and 0 while its variance is 0.
/// State: one 24-byte record per sensor, in a flat array indexed by dense key.
/// </remarks>
public sealed class EwmaOperator : StreamOperator
{
    /// <summary>Creates the operator.</summary>
    public EwmaOperator(string name, string column, EwmaOptions? options = null)
        : base(name)
    {
        if (string.IsNullOrWhiteSpace(column))
        {
            throw new PipelineConfigurationException($"EWMA '{name}': the column name is empty.");
        }

        Column = column;
        Options = options ?? new EwmaOptions();
        Options.Validate(name);
    }

    /// <summary>The measure smoothed.</summary>
    public string Column { get; }

    /// <summary>The options.</summary>
    public EwmaOptions Options { get; }

    private string Prefix => Options.OutputPrefix ?? Column;

    /// <inheritdoc />
    public override bool UsesWatermark => false;

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Require(Column, ColumnType.Float64, Name);
        return BatchExtender.Extend(input, OutputColumns());
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, this);

    private ColumnInfo[] OutputColumns() =>
    [
        new(Prefix + "_mean", ColumnType.Float64),
        new(Prefix + "_std", ColumnType.Float64),
        new(Prefix + "_z", ColumnType.Float64),
    ];

    [StructLayout(LayoutKind.Sequential)]
    private struct KeyState
    {
        public double Mean;
        public double Variance;
        public long Count;
    }

    private sealed class Instance : OperatorInstance
    {
        private readonly int _column;
        private readonly double _alpha;
        private readonly long _warmUp;
        private readonly BatchExtender _extender;
        private KeyState[] _state = new KeyState[64];

        public Instance(OperatorContext context, EwmaOperator definition)
            : base(context)
        {
            _column = context.InputSchema.Require(definition.Column, ColumnType.Float64, definition.Name);
            _alpha = definition.Options.Alpha;
            _warmUp = definition.Options.WarmUp;
            _extender = new BatchExtender(context.InputSchema, context.KeyIndex, definition.OutputColumns());
        }

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            _extender.Begin(batch);
            var keys = batch.Keys;
            EnsureKeys(batch.KeyIndex.Count);
            var skipped = Update(keys, batch.GetDoubles(_column), _extender.GetDoubles(0), _extender.GetDoubles(1), _extender.GetDoubles(2));
            if (skipped > 0)
            {
                Context.Counters.AddSkipped(skipped);
            }

            output.Emit(_extender.Batch);
        }

        protected override void WriteState(BinaryWriter writer) => writer.WriteArray<KeyState>(_state);

        protected override void ReadState(BinaryReader reader, int version) => _state = reader.ReadArray<KeyState>();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Update(ReadOnlySpan<int> keys, ReadOnlySpan<double> values, Span<double> means, Span<double> stds, Span<double> zs)
        {
            var state = _state;
            var alpha = _alpha;
            var warmUp = _warmUp;
            var skipped = 0;
            values = values[..keys.Length];
            means = means[..keys.Length];
            stds = stds[..keys.Length];
            zs = zs[..keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                var x = values[i];
                ref var s = ref state[keys[i]];
                if (!double.IsFinite(x))
                {
                    skipped++;
                    means[i] = double.NaN;
                    stds[i] = double.NaN;
                    zs[i] = double.NaN;
                    continue;
                }

                var std = Math.Sqrt(s.Variance);
                var diff = x - s.Mean;
                zs[i] = s.Count < warmUp ? double.NaN : std > 0 ? diff / std : 0;
                if (s.Count == 0)
                {
                    s.Mean = x;
                }
                else
                {
                    // West's incremental form of the exponentially weighted mean and variance.
                    var increment = alpha * diff;
                    s.Mean += increment;
                    s.Variance = (1 - alpha) * (s.Variance + (diff * increment));
                }

                s.Count++;
                means[i] = s.Mean;
                stds[i] = Math.Sqrt(s.Variance);
            }

            return skipped;
        }

        private void EnsureKeys(int count)
        {
            if (count > _state.Length)
            {
                Array.Resize(ref _state, Math.Max(count, _state.Length * 2));
            }
        }
    }
}
