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
    private readonly SelectionRows _rows = new();

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
    public Span<int> GetBuffer(int length) => _rows.IndexBuffer(length);

    /// <summary>
    /// A bit mask for <paramref name="rows"/> rows (bit i of word i/64 selects row i; bits past the last row
    /// must be 0). Cheaper than indices for vectorised predicates: indices are derived only if a column is read.
    /// </summary>
    public Span<ulong> GetMaskBuffer(int rows) => _rows.MaskBuffer(rows);

    /// <summary>Returns a batch of the first <paramref name="count"/> rows written to <see cref="GetBuffer"/>.</summary>
    public StreamBatch Apply(StreamBatch parent, int count)
    {
        ArgumentNullException.ThrowIfNull(parent);
        _rows.UseIndices(count);
        return Point(parent, count);
    }

    /// <summary>Returns a batch of the rows set in the mask written to <see cref="GetMaskBuffer"/>; <paramref name="count"/> is the number of bits set.</summary>
    public StreamBatch ApplyMask(StreamBatch parent, int count)
    {
        ArgumentNullException.ThrowIfNull(parent);
        _rows.UseMask(count);
        return Point(parent, count);
    }

    private StreamBatch Point(StreamBatch parent, int count)
    {
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
