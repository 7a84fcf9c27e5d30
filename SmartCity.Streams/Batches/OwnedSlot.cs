namespace SmartCity.Streams.Batches;

/// <summary>A column held in a buffer that an operator owns and writes.</summary>
internal sealed class OwnedSlot : ColumnSlot
{
    private double[] _doubles = [];
    private long[] _int64s = [];
    private int[] _int32s = [];

    public OwnedSlot(ColumnType type, bool isKey = false)
    {
        Type = type;
        IsKey = isKey;
    }

    public ColumnType Type { get; }

    public bool IsKey { get; }

    public Span<double> WritableDoubles(int length)
    {
        _doubles = Grow(_doubles, length);
        return _doubles.AsSpan(0, length);
    }

    public Span<long> WritableInt64s(int length)
    {
        _int64s = Grow(_int64s, length);
        return _int64s.AsSpan(0, length);
    }

    public Span<int> WritableInt32s(int length)
    {
        _int32s = Grow(_int32s, length);
        return _int32s.AsSpan(0, length);
    }

    public void EnsureCapacity(int capacity, int preserve)
    {
        if (IsKey)
        {
            _int32s = GrowPreserving(_int32s, capacity, preserve);
        }
        else if (Type == ColumnType.Float64)
        {
            _doubles = GrowPreserving(_doubles, capacity, preserve);
        }
        else
        {
            _int64s = GrowPreserving(_int64s, capacity, preserve);
        }
    }

    public override ReadOnlySpan<double> GetDoubles(int length) => Type == ColumnType.Float64 && !IsKey ? _doubles.AsSpan(0, length) : base.GetDoubles(length);

    public override ReadOnlySpan<long> GetInt64s(int length) => Type != ColumnType.Float64 && !IsKey ? _int64s.AsSpan(0, length) : base.GetInt64s(length);

    public override ReadOnlySpan<int> GetInt32s(int length) => IsKey ? _int32s.AsSpan(0, length) : base.GetInt32s(length);

    private static T[] GrowPreserving<T>(T[] buffer, int capacity, int preserve)
    {
        if (buffer.Length >= capacity)
        {
            return buffer;
        }

        var grown = new T[Math.Max(capacity, Math.Max(16, buffer.Length * 2))];
        buffer.AsSpan(0, Math.Min(preserve, buffer.Length)).CopyTo(grown);
        return grown;
    }
}
