using Apache.Arrow;

namespace SmartCity.Streams.Batches;

/// <summary>
/// A measure column read from Arrow. A Double column without nulls and without a row selection is exposed
/// directly over the Arrow buffer (zero copy); other types are converted to Float64, nulls become NaN.
/// </summary>
internal sealed class ArrowMeasureSlot : ColumnSlot
{
    private IArrowArray? _array;
    private int[]? _rows;
    private bool _ready;
    private double[] _buffer = [];

    public void Point(IArrowArray array, int[]? rows)
    {
        _array = array;
        _rows = rows;
        _ready = false;
    }

    public override ReadOnlySpan<double> GetDoubles(int length)
    {
        if (_rows is null && _array is DoubleArray direct && direct.NullCount == 0)
        {
            return direct.Values;
        }

        if (!_ready)
        {
            _buffer = Grow(_buffer, length);
            Convert(_array!, _rows, _buffer.AsSpan(0, length));
            _ready = true;
        }

        return _buffer.AsSpan(0, length);
    }

    private static void Convert(IArrowArray array, int[]? rows, Span<double> target)
    {
        switch (array)
        {
            case DoubleArray a: Copy(a.Values, a, rows, target); break;
            case FloatArray a: Copy(a.Values, a, rows, target); break;
            case Int32Array a: Copy(a.Values, a, rows, target); break;
            case Int64Array a: Copy(a.Values, a, rows, target); break;
            default: throw new InvalidOperationException($"Unsupported measure array {array.GetType().Name}; the binder should have rejected it.");
        }
    }

    private static void Copy<T>(ReadOnlySpan<T> values, IArrowArray array, int[]? rows, Span<double> target)
        where T : struct, System.Numerics.INumberBase<T>
    {
        var hasNulls = array.NullCount > 0;
        for (var i = 0; i < target.Length; i++)
        {
            var row = rows is null ? i : rows[i];
            target[i] = hasNulls && array.IsNull(row) ? double.NaN : double.CreateTruncating(values[row]);
        }
    }
}
