namespace SmartCity.Streams.Batches;

/// <summary>
/// Lets an operator add columns to its input without copying the existing ones: the output batch reads the
/// parent's columns directly and the added columns from buffers the operator writes.
/// </summary>
public sealed class BatchExtender
{
    private readonly ParentSlot _keys = new(ColumnSlot.KeyColumn);
    private readonly ParentSlot _times = new(ColumnSlot.TimeColumn);
    private readonly ParentSlot[] _inherited;
    private readonly OwnedSlot[] _added;
    private readonly StreamBatch _view;
    private int _length;

    /// <summary>Creates an extender that appends <paramref name="added"/> to <paramref name="input"/>.</summary>
    /// <exception cref="PipelineConfigurationException">An added column's name is already used.</exception>
    public BatchExtender(BatchSchema input, KeyIndex keyIndex, IReadOnlyList<ColumnInfo> added)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(added);
        OutputSchema = Extend(input, added);
        _inherited = new ParentSlot[input.Count];
        for (var i = 0; i < _inherited.Length; i++)
        {
            _inherited[i] = new ParentSlot(i);
        }

        _added = new OwnedSlot[added.Count];
        var all = new ColumnSlot[input.Count + added.Count];
        _inherited.CopyTo(all, 0);
        for (var i = 0; i < _added.Length; i++)
        {
            _added[i] = new OwnedSlot(added[i].Type);
            all[input.Count + i] = _added[i];
        }

        _view = new StreamBatch(OutputSchema, keyIndex, _keys, _times, all);
    }

    /// <summary>The input schema followed by the added columns.</summary>
    public BatchSchema OutputSchema { get; }

    /// <summary>Computes the output schema (used by operator definitions to validate at build time).</summary>
    public static BatchSchema Extend(BatchSchema input, IReadOnlyList<ColumnInfo> added)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(added);
        var schema = input;
        foreach (var column in added)
        {
            if (schema.IndexOf(column.Name) >= 0)
            {
                throw new PipelineConfigurationException($"Column '{column.Name}' already exists in the input ({input.Describe()}); choose another output column name.");
            }

            schema = schema.Append(column);
        }

        return schema;
    }

    /// <summary>Starts a new output batch over <paramref name="parent"/>.</summary>
    public void Begin(StreamBatch parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        _keys.Point(parent, null);
        _times.Point(parent, null);
        foreach (var column in _inherited)
        {
            column.Point(parent, null);
        }

        _length = parent.Length;
        _view.Reset(parent.Length, parent.Sequence);
    }

    /// <summary>The writable values of an added Float64 column (index among the added columns).</summary>
    public Span<double> GetDoubles(int addedColumn) => _added[addedColumn].WritableDoubles(_length);

    /// <summary>The writable values of an added Int64 or Boolean column (index among the added columns).</summary>
    public Span<long> GetInt64s(int addedColumn) => _added[addedColumn].WritableInt64s(_length);

    /// <summary>The output batch (valid after <see cref="Begin"/>).</summary>
    public StreamBatch Batch => _view;
}
