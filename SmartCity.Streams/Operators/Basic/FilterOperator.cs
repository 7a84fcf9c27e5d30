using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Basic;

/// <summary>
/// Keeps the rows whose measure satisfies a comparison with a constant. Rows are not copied: the output is a
/// selection view over the input, and columns are gathered only if a later operator reads them.
/// </summary>
public sealed class FilterOperator : StreamOperator
{
    /// <summary>Creates a filter.</summary>
    /// <param name="name">Operator name.</param>
    /// <param name="column">Float64 column to test.</param>
    /// <param name="comparison">The comparison.</param>
    /// <param name="value">The constant (must be a number, not NaN).</param>
    public FilterOperator(string name, string column, Comparison comparison, double value)
        : base(name)
    {
        if (string.IsNullOrWhiteSpace(column))
        {
            throw new PipelineConfigurationException($"Filter '{name}': the column name is empty.");
        }

        if (double.IsNaN(value))
        {
            throw new PipelineConfigurationException($"Filter '{name}': the constant is NaN, so no row could ever match. Use a number.");
        }

        if (!Enum.IsDefined(comparison))
        {
            throw new PipelineConfigurationException($"Filter '{name}': unknown comparison {comparison}.");
        }

        Column = column;
        Comparison = comparison;
        Value = value;
    }

    /// <summary>The column tested.</summary>
    public string Column { get; }

    /// <summary>The comparison.</summary>
    public Comparison Comparison { get; }

    /// <summary>The constant.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public override bool UsesWatermark => false;

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Require(Column, ColumnType.Float64, Name);
        return input;
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context) => Comparison switch
    {
        Comparison.GreaterThan => new Instance<GreaterThan>(context, this),
        Comparison.GreaterThanOrEqual => new Instance<GreaterThanOrEqual>(context, this),
        Comparison.LessThan => new Instance<LessThan>(context, this),
        Comparison.LessThanOrEqual => new Instance<LessThanOrEqual>(context, this),
        Comparison.Equal => new Instance<EqualTo>(context, this),
        _ => new Instance<NotEqualTo>(context, this),
    };

    private interface IPredicate
    {
        static abstract bool Test(double value, double constant);

        static abstract Vector512<double> Test(Vector512<double> value, Vector512<double> constant);

        static abstract Vector256<double> Test(Vector256<double> value, Vector256<double> constant);
    }

    private struct GreaterThan : IPredicate
    {
        public static bool Test(double value, double constant) => value > constant;

        public static Vector512<double> Test(Vector512<double> value, Vector512<double> constant) => Vector512.GreaterThan(value, constant);

        public static Vector256<double> Test(Vector256<double> value, Vector256<double> constant) => Vector256.GreaterThan(value, constant);
    }

    private struct GreaterThanOrEqual : IPredicate
    {
        public static bool Test(double value, double constant) => value >= constant;

        public static Vector512<double> Test(Vector512<double> value, Vector512<double> constant) => Vector512.GreaterThanOrEqual(value, constant);

        public static Vector256<double> Test(Vector256<double> value, Vector256<double> constant) => Vector256.GreaterThanOrEqual(value, constant);
    }

    private struct LessThan : IPredicate
    {
        public static bool Test(double value, double constant) => value < constant;

        public static Vector512<double> Test(Vector512<double> value, Vector512<double> constant) => Vector512.LessThan(value, constant);

        public static Vector256<double> Test(Vector256<double> value, Vector256<double> constant) => Vector256.LessThan(value, constant);
    }

    private struct LessThanOrEqual : IPredicate
    {
        public static bool Test(double value, double constant) => value <= constant;

        public static Vector512<double> Test(Vector512<double> value, Vector512<double> constant) => Vector512.LessThanOrEqual(value, constant);

        public static Vector256<double> Test(Vector256<double> value, Vector256<double> constant) => Vector256.LessThanOrEqual(value, constant);
    }

    private struct EqualTo : IPredicate
    {
        public static bool Test(double value, double constant) => value == constant;

        public static Vector512<double> Test(Vector512<double> value, Vector512<double> constant) => Vector512.Equals(value, constant);

        public static Vector256<double> Test(Vector256<double> value, Vector256<double> constant) => Vector256.Equals(value, constant);
    }

    private struct NotEqualTo : IPredicate
    {
        public static bool Test(double value, double constant) => value != constant && !double.IsNaN(value);

        public static Vector512<double> Test(Vector512<double> value, Vector512<double> constant) => ~Vector512.Equals(value, constant) & Vector512.Equals(value, value);

        public static Vector256<double> Test(Vector256<double> value, Vector256<double> constant) => ~Vector256.Equals(value, constant) & Vector256.Equals(value, value);
    }

    private sealed class Instance<TPredicate> : OperatorInstance
        where TPredicate : struct, IPredicate
    {
        private readonly int _column;
        private readonly double _value;
        private readonly RowSelection _selection;

        public Instance(OperatorContext context, FilterOperator definition)
            : base(context)
        {
            _column = context.InputSchema.Require(definition.Column, ColumnType.Float64, definition.Name);
            _value = definition.Value;
            _selection = new RowSelection(context.InputSchema, context.KeyIndex);
        }

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            var values = batch.GetDoubles(_column);
            var count = Select(values, _selection.GetMaskBuffer(values.Length), _value);
            if (count > 0)
            {
                output.Emit(_selection.ApplyMask(batch, count));
            }
        }

        /// <summary>Writes a bit per row (1 = keep) and returns how many rows are kept.</summary>
        /// <remarks>
        /// A mask costs one bit per row where an index list costs four bytes, and it comes straight out of a
        /// vector compare; indices are derived later only if a downstream operator reads a column.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int Select(ReadOnlySpan<double> values, Span<ulong> mask, double constant)
        {
            var count = 0;
            var i = 0;
            var word = 0;
            var n = values.Length;
            ref var start = ref MemoryMarshal.GetReference(values);
            if (Vector512.IsHardwareAccelerated)
            {
                var c = Vector512.Create(constant);
                for (; i + 64 <= n; i += 64, word++)
                {
                    ulong bits = 0;
                    for (var j = 0; j < 8; j++)
                    {
                        var v = Vector512.LoadUnsafe(ref start, (nuint)(i + (j * 8)));
                        bits |= TPredicate.Test(v, c).ExtractMostSignificantBits() << (j * 8);
                    }

                    mask[word] = bits;
                    count += BitOperations.PopCount(bits);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var c = Vector256.Create(constant);
                for (; i + 64 <= n; i += 64, word++)
                {
                    ulong bits = 0;
                    for (var j = 0; j < 16; j++)
                    {
                        var v = Vector256.LoadUnsafe(ref start, (nuint)(i + (j * 4)));
                        bits |= (ulong)TPredicate.Test(v, c).ExtractMostSignificantBits() << (j * 4);
                    }

                    mask[word] = bits;
                    count += BitOperations.PopCount(bits);
                }
            }

            for (; i < n; word++)
            {
                ulong bits = 0;
                var limit = Math.Min(64, n - i);
                for (var j = 0; j < limit; j++)
                {
                    bits |= (TPredicate.Test(values[i + j], constant) ? 1UL : 0UL) << j;
                }

                mask[word] = bits;
                count += BitOperations.PopCount(bits);
                i += limit;
            }

            return count;
        }
    }
}
