using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Batches;

/// <summary>
/// The view of a batch of rows that operators read: dense sensor keys, event times (microseconds since the
/// epoch) and the value columns of <see cref="Schema"/>, all as spans.
/// </summary>
/// <remarks>
/// <para><b>Ownership:</b> a batch is lent to an operator for the duration of one call. Its spans may point
/// into Arrow buffers or pooled engine buffers that are reused for the next batch, so an operator that needs
/// values later copies them into its own state. Never keep a <see cref="StreamBatch"/> or a span of it.</para>
/// <para>Columns materialise lazily: a column no operator reads is never converted or gathered.</para>
/// </remarks>
public sealed class StreamBatch
{
    private readonly ColumnSlot _keys;
    private readonly ColumnSlot _times;
    private readonly ColumnSlot[] _columns;

    internal StreamBatch(BatchSchema schema, KeyIndex keyIndex, ColumnSlot keys, ColumnSlot times, ColumnSlot[] columns)
    {
        Schema = schema;
        KeyIndex = keyIndex;
        _keys = keys;
        _times = times;
        _columns = columns;
    }

    /// <summary>The value columns this batch carries.</summary>
    public BatchSchema Schema { get; }

    /// <summary>The lane's key index, to turn dense keys back into raw sensor ids.</summary>
    public KeyIndex KeyIndex { get; }

    /// <summary>Number of rows.</summary>
    public int Length { get; private set; }

    /// <summary>Position of the source batch this batch derives from, counted from 0 per pipeline run.</summary>
    public long Sequence { get; private set; }

    /// <summary>Dense sensor key per row (see <see cref="KeyIndex"/>).</summary>
    public ReadOnlySpan<int> Keys => _keys.GetInt32s(Length);

    /// <summary>Event time per row, microseconds since the Unix epoch.</summary>
    public ReadOnlySpan<long> Times => _times.GetInt64s(Length);

    /// <summary>A Float64 column by ordinal (resolve the ordinal once with <see cref="BatchSchema.Require"/>).</summary>
    public ReadOnlySpan<double> GetDoubles(int column)
    {
        if ((uint)column >= (uint)_columns.Length)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(column), $"Column ordinal {column} is outside the schema ({Schema.Describe()}).");
        }

        return _columns[column].GetDoubles(Length);
    }

    /// <summary>An Int64 or Boolean column by ordinal.</summary>
    public ReadOnlySpan<long> GetInt64s(int column)
    {
        if ((uint)column >= (uint)_columns.Length)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(column), $"Column ordinal {column} is outside the schema ({Schema.Describe()}).");
        }

        return _columns[column].GetInt64s(Length);
    }

    /// <summary>The raw sensor id of a row.</summary>
    public SensorId GetSensor(int row) => KeyIndex[Keys[row]];

    internal void Reset(int length, long sequence)
    {
        Length = length;
        Sequence = sequence;
    }
}
