using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Batches;

/// <summary>
/// Where one column of a <see cref="StreamBatch"/> comes from: an Arrow buffer, an operator's own buffer, or
/// a parent batch (all rows or a selection). Slots materialise lazily, so a column nobody reads costs nothing.
/// </summary>
internal abstract class ColumnSlot
{
    public const int KeyColumn = -2;
    public const int TimeColumn = -1;

    public virtual ReadOnlySpan<double> GetDoubles(int length)
    {
        ThrowHelper.InvalidOperation("This column does not hold Float64 values.");
        return default;
    }

    public virtual ReadOnlySpan<long> GetInt64s(int length)
    {
        ThrowHelper.InvalidOperation("This column does not hold Int64 values.");
        return default;
    }

    public virtual ReadOnlySpan<int> GetInt32s(int length)
    {
        ThrowHelper.InvalidOperation("This column does not hold Int32 values.");
        return default;
    }

    protected static T[] Grow<T>(T[] buffer, int length) =>
        buffer.Length >= length ? buffer : new T[Math.Max(length, Math.Max(16, buffer.Length * 2))];
}
