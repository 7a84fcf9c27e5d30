using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Basic;

/// <summary>
/// Adds a Float64 column computed from other columns by a batch-level kernel (for example travel time from
/// length and speed). Existing columns are passed through without copying.
/// </summary>
public sealed class DeriveOperator : StreamOperator
{
    private readonly string[] _inputs;

    /// <summary>Creates the operator.</summary>
    /// <param name="name">Operator name.</param>
    /// <param name="outputColumn">Name of the new column.</param>
    /// <param name="inputColumns">Float64 columns the kernel reads.</param>
    /// <param name="kernel">Computes the new column for a batch.</param>
    public DeriveOperator(string name, string outputColumn, IReadOnlyList<string> inputColumns, DeriveKernel kernel)
        : base(name)
    {
        if (string.IsNullOrWhiteSpace(outputColumn))
        {
            throw new PipelineConfigurationException($"Derive '{name}': the output column name is empty.");
        }

        ArgumentNullException.ThrowIfNull(inputColumns);
        OutputColumn = outputColumn;
        _inputs = [.. inputColumns];
        Kernel = kernel ?? throw new PipelineConfigurationException($"Derive '{name}': no kernel was given.");
    }

    /// <summary>The new column's name.</summary>
    public string OutputColumn { get; }

    /// <summary>The columns read.</summary>
    public IReadOnlyList<string> InputColumns => _inputs;

    /// <summary>The kernel.</summary>
    public DeriveKernel Kernel { get; }

    /// <inheritdoc />
    public override bool UsesWatermark => false;

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var column in _inputs)
        {
            input.Require(column, ColumnType.Float64, Name);
        }

        return BatchExtender.Extend(input, [new ColumnInfo(OutputColumn, ColumnType.Float64)]);
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, this);

    private sealed class Instance : OperatorInstance
    {
        private readonly int[] _columns;
        private readonly DeriveKernel _kernel;
        private readonly BatchExtender _extender;

        public Instance(OperatorContext context, DeriveOperator definition)
            : base(context)
        {
            _columns = new int[definition._inputs.Length];
            for (var i = 0; i < _columns.Length; i++)
            {
                _columns[i] = context.InputSchema.Require(definition._inputs[i], ColumnType.Float64, definition.Name);
            }

            _kernel = definition.Kernel;
            _extender = new BatchExtender(context.InputSchema, context.KeyIndex, [new ColumnInfo(definition.OutputColumn, ColumnType.Float64)]);
        }

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            _extender.Begin(batch);
            _kernel(batch, _columns, _extender.GetDoubles(0));
            output.Emit(_extender.Batch);
        }
    }
}
