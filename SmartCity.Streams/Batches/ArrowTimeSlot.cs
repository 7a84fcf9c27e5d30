using Apache.Arrow;
using Apache.Arrow.Types;

namespace SmartCity.Streams.Batches;

/// <summary>
/// The event-time column read from Arrow and converted to microseconds since the epoch. Microsecond
/// timestamps without a row selection are exposed over the Arrow buffer (zero copy).
/// </summary>
internal sealed class ArrowTimeSlot : ColumnSlot
{
    private IArrowArray? _array;
    private int[]? _rows;
    private bool _ready;
    private long[] _buffer = [];

    public void Point(IArrowArray array, int[]? rows)
    {
        _array = array;
        _rows = rows;
        _ready = false;
    }

    public override ReadOnlySpan<long> GetInt64s(int length)
    {
        if (_rows is null && _array is TimestampArray ts && ((TimestampType)ts.Data.DataType).Unit == TimeUnit.Microsecond)
        {
            return ts.Values;
        }

        if (!_ready)
        {
            _buffer = Grow(_buffer, length);
            Convert(_array!, _rows, _buffer.AsSpan(0, length));
            _ready = true;
        }

        return _buffer.AsSpan(0, length);
    }

    /// <summary>Reads one row's time as microseconds (used by the dispatcher and for error messages).</summary>
    public static long ReadMicros(IArrowArray array, int row) => array switch
    {
        TimestampArray ts => ToMicros(ts.Values[row], ((TimestampType)ts.Data.DataType).Unit),
        Int64Array ms => ms.Values[row] * EventTime.MicrosPerMilli,
        Date64Array d => d.Values[row] * EventTime.MicrosPerMilli,
        Date32Array d => d.Values[row] * EventTime.MicrosPerDay,
        _ => throw new InvalidOperationException($"Unsupported time array {array.GetType().Name}."),
    };

    private static void Convert(IArrowArray array, int[]? rows, Span<long> target)
    {
        switch (array)
        {
            case TimestampArray ts:
                Scale(ts.Values, rows, target, ((TimestampType)ts.Data.DataType).Unit);
                break;
            case Int64Array ms:
                Multiply(ms.Values, rows, target, EventTime.MicrosPerMilli);
                break;
            case Date64Array d:
                Multiply(d.Values, rows, target, EventTime.MicrosPerMilli);
                break;
            case Date32Array d:
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = d.Values[rows is null ? i : rows[i]] * EventTime.MicrosPerDay;
                }

                break;
            default:
                throw new InvalidOperationException($"Unsupported time array {array.GetType().Name}; the binder should have rejected it.");
        }
    }

    private static void Scale(ReadOnlySpan<long> values, int[]? rows, Span<long> target, TimeUnit unit)
    {
        switch (unit)
        {
            case TimeUnit.Second: Multiply(values, rows, target, EventTime.MicrosPerSecond); break;
            case TimeUnit.Millisecond: Multiply(values, rows, target, EventTime.MicrosPerMilli); break;
            case TimeUnit.Microsecond: Multiply(values, rows, target, 1); break;
            default:
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = Math.DivRem(values[rows is null ? i : rows[i]], 1000L).Quotient - (values[rows is null ? i : rows[i]] % 1000 < 0 ? 1 : 0);
                }

                break;
        }
    }

    private static void Multiply(ReadOnlySpan<long> values, int[]? rows, Span<long> target, long factor)
    {
        if (rows is null)
        {
            for (var i = 0; i < target.Length; i++)
            {
                target[i] = values[i] * factor;
            }
        }
        else
        {
            for (var i = 0; i < target.Length; i++)
            {
                target[i] = values[rows[i]] * factor;
            }
        }
    }

    private static long ToMicros(long value, TimeUnit unit) => unit switch
    {
        TimeUnit.Second => value * EventTime.MicrosPerSecond,
        TimeUnit.Millisecond => value * EventTime.MicrosPerMilli,
        TimeUnit.Microsecond => value,
        _ => (value / 1000) - (value % 1000 < 0 ? 1 : 0),
    };
}
