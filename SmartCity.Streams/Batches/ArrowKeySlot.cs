using Apache.Arrow;

namespace SmartCity.Streams.Batches;

/// <summary>
/// The key column read from Arrow and mapped to dense indices through the lane's <see cref="KeyIndex"/>.
/// Dictionary-encoded strings are mapped once per dictionary entry, not once per row.
/// </summary>
internal sealed class ArrowKeySlot : ColumnSlot
{
    private readonly KeyIndex _index;
    private IArrowArray? _array;
    private int[]? _rows;
    private bool _ready;
    private int[] _buffer = [];
    private int[] _dictionaryMap = [];
    private IArrowArray? _mappedDictionary;

    public ArrowKeySlot(KeyIndex index) => _index = index;

    public void Point(IArrowArray array, int[]? rows)
    {
        _array = array;
        _rows = rows;
        _ready = false;
    }

    public override ReadOnlySpan<int> GetInt32s(int length)
    {
        if (!_ready)
        {
            _buffer = Grow(_buffer, length);
            Map(_buffer.AsSpan(0, length));
            _ready = true;
        }

        return _buffer.AsSpan(0, length);
    }

    private void Map(Span<int> target)
    {
        var rows = _rows;
        switch (_array)
        {
            case Int32Array a when rows is null:
                _index.Map(a.Values, target);
                break;
            case Int32Array a:
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = _index.GetOrAdd(a.Values[rows[i]]);
                }

                break;
            case Int64Array a:
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = _index.GetOrAdd(a.Values[rows is null ? i : rows[i]]);
                }

                break;
            case UInt32Array a:
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = _index.GetOrAdd(a.Values[rows is null ? i : rows[i]]);
                }

                break;
            case StringArray s:
                {
                    var offsets = s.ValueOffsets;
                    var bytes = s.Values;
                    for (var i = 0; i < target.Length; i++)
                    {
                        var row = rows is null ? i : rows[i];
                        target[i] = _index.GetOrAdd(bytes.Slice(offsets[row], offsets[row + 1] - offsets[row]));
                    }

                    break;
                }

            case DictionaryArray d:
                MapDictionary(d, rows, target);
                break;
            default:
                throw new InvalidOperationException($"Unsupported key array {_array?.GetType().Name}; the binder should have rejected it.");
        }
    }

    private void MapDictionary(DictionaryArray array, int[]? rows, Span<int> target)
    {
        var dictionary = (StringArray)array.Dictionary;
        if (!ReferenceEquals(dictionary, _mappedDictionary))
        {
            if (_dictionaryMap.Length < dictionary.Length)
            {
                _dictionaryMap = new int[Math.Max(dictionary.Length, _dictionaryMap.Length * 2)];
            }

            var offsets = dictionary.ValueOffsets;
            var bytes = dictionary.Values;
            for (var i = 0; i < dictionary.Length; i++)
            {
                _dictionaryMap[i] = dictionary.IsNull(i) ? -1 : _index.GetOrAdd(bytes.Slice(offsets[i], offsets[i + 1] - offsets[i]));
            }

            _mappedDictionary = dictionary;
        }

        for (var i = 0; i < target.Length; i++)
        {
            target[i] = _dictionaryMap[DictionaryIndex(array.Indices, rows is null ? i : rows[i])];
        }
    }

    internal static int DictionaryIndex(IArrowArray indices, int row) => indices switch
    {
        Int32Array a => a.Values[row],
        Int16Array a => a.Values[row],
        Int8Array a => a.Values[row],
        UInt8Array a => a.Values[row],
        UInt16Array a => a.Values[row],
        UInt32Array a => (int)a.Values[row],
        Int64Array a => (int)a.Values[row],
        _ => throw new InvalidOperationException($"Unsupported dictionary index array {indices.GetType().Name}."),
    };
}
