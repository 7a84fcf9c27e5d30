namespace SmartCity.Streams.Batches;

/// <summary>
/// Lets an operator pass on a subset of its input rows without copying them: the operator writes the
/// indices of the rows it keeps into <see cref="GetBuffer"/>, then <see cref="Apply"/> returns a batch that
/// reads the parent's columns through those indices, gathering each column only if someone reads it.
/// </summary>
public sealed class RowSelection
{
    private readonly ParentSlot _keys = new(ColumnSlot.KeyColumn);
    private readonly ParentSlot _times = new(ColumnSlot.TimeColumn);
    private readonly ParentSlot[] _columns;
    private readonly StreamBatch _view;
    private int[] _rows = new int[1024];

    /// <summary>Creates a selection over batches of a schema.</summary>
    public RowSelection(BatchSchema schema, KeyIndex keyIndex)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _columns = new ParentSlot[schema.Count];
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i] = new ParentSlot(i);
        }

        _view = new StreamBatch(schema, keyIndex, _keys, _times, _columns);
    }

    /// <summary>A buffer of at least <paramref name="length"/> row indices to fill, in increasing order.</summary>
    public Span<int> GetBuffer(int length)
    {
        if (_rows.Length < length)
        {
            _rows = new int[Math.Max(length, _rows.Length * 2)];
        }

        return _rows;
    }

    /// <summary>Returns a batch of the first <paramref name="count"/> rows written to the buffer.</summary>
    public StreamBatch Apply(StreamBatch parent, int count)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var rows = count == parent.Length ? null : _rows;
        _keys.Point(parent, rows);
        _times.Point(parent, rows);
        foreach (var column in _columns)
        {
            column.Point(parent, rows);
        }

        _view.Reset(count, parent.Sequence);
        return _view;
    }
}
