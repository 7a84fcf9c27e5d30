namespace SmartCity.Streams.Batches;

/// <summary>
/// A column of a parent batch, either passed through as it is or gathered through a row selection.
/// The gather happens on first read and is cached for the rest of the batch.
/// </summary>
internal sealed class ParentSlot : ColumnSlot
{
    private readonly int _column;
    private StreamBatch? _parent;
    private SelectionRows? _selection;
    private bool _ready;
    private double[] _doubles = [];
    private long[] _int64s = [];
    private int[] _int32s = [];

    public ParentSlot(int column) => _column = column;

    public void Point(StreamBatch parent, SelectionRows? selection)
    {
        _parent = parent;
        _selection = selection;
        _ready = false;
    }

    public override ReadOnlySpan<double> GetDoubles(int length)
    {
        var source = _parent!.GetDoubles(_column);
        if (_selection is null)
        {
            return source;
        }

        if (!_ready)
        {
            _doubles = Grow(_doubles, length);
            Gather(source, _selection.Rows().AsSpan(0, length), _doubles);
            _ready = true;
        }

        return _doubles.AsSpan(0, length);
    }

    public override ReadOnlySpan<long> GetInt64s(int length)
    {
        var source = _column == TimeColumn ? _parent!.Times : _parent!.GetInt64s(_column);
        if (_selection is null)
        {
            return source;
        }

        if (!_ready)
        {
            _int64s = Grow(_int64s, length);
            Gather(source, _selection.Rows().AsSpan(0, length), _int64s);
            _ready = true;
        }

        return _int64s.AsSpan(0, length);
    }

    public override ReadOnlySpan<int> GetInt32s(int length)
    {
        var source = _parent!.Keys;
        if (_selection is null)
        {
            return source;
        }

        if (!_ready)
        {
            _int32s = Grow(_int32s, length);
            Gather(source, _selection.Rows().AsSpan(0, length), _int32s);
            _ready = true;
        }

        return _int32s.AsSpan(0, length);
    }

    private static void Gather<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> rows, Span<T> target)
    {
        for (var i = 0; i < rows.Length; i++)
        {
            target[i] = source[rows[i]];
        }
    }
}
