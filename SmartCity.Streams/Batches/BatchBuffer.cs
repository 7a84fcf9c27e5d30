using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Batches;

/// <summary>
/// A writable batch owned by an operator that produces new rows (window results, forecasts). Rows are
/// appended, then the buffer is exposed as a <see cref="StreamBatch"/> to the next operator and cleared.
/// Memory grows to the largest batch produced and is then reused: steady state allocates nothing.
/// </summary>
public sealed class BatchBuffer
{
    private readonly OwnedSlot _keys = new(ColumnType.Int64, isKey: true);
    private readonly OwnedSlot _times = new(ColumnType.Int64);
    private readonly OwnedSlot[] _columns;
    private int _capacity;

    /// <summary>Creates a buffer for a schema, sharing the lane's key index.</summary>
    public BatchBuffer(BatchSchema schema, KeyIndex keyIndex, int initialCapacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(keyIndex);
        _columns = new OwnedSlot[schema.Count];
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i] = new OwnedSlot(schema.Columns[i].Type);
        }

        Batch = new StreamBatch(schema, keyIndex, _keys, _times, _columns);
        EnsureCapacity(Math.Max(16, initialCapacity));
    }

    /// <summary>The rows appended so far, as a batch.</summary>
    public StreamBatch Batch { get; }

    /// <summary>Number of rows appended.</summary>
    public int Count { get; private set; }

    /// <summary>Removes all rows (keeps the memory).</summary>
    /// <param name="sequence">Sequence number the next batch carries.</param>
    public void Clear(long sequence = 0)
    {
        Count = 0;
        Batch.Reset(0, sequence);
    }

    /// <summary>Appends a row with its key and time and returns its index; set its values with the setters.</summary>
    public int Append(int key, long time)
    {
        if (Count == _capacity)
        {
            EnsureCapacity(_capacity * 2);
        }

        var row = Count++;
        _keys.WritableInt32s(_capacity)[row] = key;
        _times.WritableInt64s(_capacity)[row] = time;
        Batch.Reset(Count, Batch.Sequence);
        return row;
    }

    /// <summary>Sets a Float64 value of an appended row.</summary>
    public void SetDouble(int column, int row, double value)
    {
        CheckRow(row);
        _columns[column].WritableDoubles(_capacity)[row] = value;
    }

    /// <summary>Sets an Int64 (or Boolean as 0/1) value of an appended row.</summary>
    public void SetInt64(int column, int row, long value)
    {
        CheckRow(row);
        _columns[column].WritableInt64s(_capacity)[row] = value;
    }

    private void CheckRow(int row)
    {
        if ((uint)row >= (uint)Count)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(row), $"Row {row} has not been appended; the buffer holds {Count} rows.");
        }
    }

    private void EnsureCapacity(int capacity)
    {
        _keys.EnsureCapacity(capacity, Count);
        _times.EnsureCapacity(capacity, Count);
        foreach (var column in _columns)
        {
            column.EnsureCapacity(capacity, Count);
        }

        _capacity = capacity;
    }
}
