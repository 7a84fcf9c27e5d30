using System.Runtime.CompilerServices;
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
    }

    private struct GreaterThan : IPredicate
    {
        public static bool Test(double value, double constant) => value > constant;
    }

    private struct GreaterThanOrEqual : IPredicate
    {
        public static bool Test(double value, double constant) => value >= constant;
    }

    private struct LessThan : IPredicate
    {
        public static bool Test(double value, double constant) => value < constant;
    }

    private struct LessThanOrEqual : IPredicate
    {
        public static bool Test(double value, double constant) => value <= constant;
    }

    private struct EqualTo : IPredicate
    {
        public static bool Test(double value, double constant) => value == constant;
    }

    private struct NotEqualTo : IPredicate
    {
        public static bool Test(double value, double constant) => value != constant && !double.IsNaN(value);
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
            var rows = _selection.GetBuffer(values.Length);
            var count = Select(values, rows, _value);
            if (count > 0)
            {
                output.Emit(_selection.Apply(batch, count));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int Select(ReadOnlySpan<double> values, Span<int> rows, double constant)
        {
            // Branch-free: always store the index, advance only on a match, so selectivity near 50% costs
            // no mispredictions.
            var count = 0;
            rows = rows[..values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                rows[count] = i;
                count += TPredicate.Test(values[i], constant) ? 1 : 0;
            }

            return count;
        }
    }
}
