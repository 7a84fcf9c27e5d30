using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Nats;

/// <summary>Splits a record batch by the engine's key-hash partition of each row's sensor id.</summary>
internal static class BatchSplitter
{
    public static RecordBatch?[] Split(RecordBatch batch, string keyColumn, int partitions)
    {
        var ordinal = batch.Schema.GetFieldIndex(keyColumn);
        if (ordinal < 0)
        {
            throw new ArgumentException($"The batch has no key column '{keyColumn}' (columns: {string.Join(", ", batch.Schema.FieldsList.Select(f => f.Name))}).", nameof(keyColumn));
        }

        var rows = new List<int>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            rows[p] = [];
        }

        var key = batch.Column(ordinal);
        for (var i = 0; i < batch.Length; i++)
        {
            rows[PartitionOf(key, i, keyColumn).PartitionOf(partitions)].Add(i);
        }

        var result = new RecordBatch?[partitions];
        for (var p = 0; p < partitions; p++)
        {
            if (rows[p].Count == batch.Length)
            {
                result[p] = batch;
            }
            else if (rows[p].Count > 0)
            {
                result[p] = Take(batch, rows[p]);
            }
        }

        return result;
    }

    private static SensorId PartitionOf(IArrowArray key, int row, string name) => key switch
    {
        Int64Array a => new SensorId(a.GetValue(row) ?? 0),
        Int32Array a => new SensorId(a.GetValue(row) ?? 0),
        StringArray a => new SensorId(a.GetString(row) ?? string.Empty),
        _ => throw new NotSupportedException($"Key column '{name}' has type {key.Data.DataType.Name}; partitioning supports Int64, Int32 and Utf8 keys."),
    };

    private static RecordBatch Take(RecordBatch batch, List<int> rows)
    {
        var columns = new IArrowArray[batch.ColumnCount];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = Take(batch.Column(c), rows, batch.Schema.GetFieldByIndex(c).Name);
        }

        return new RecordBatch(batch.Schema, columns, rows.Count);
    }

    private static IArrowArray Take(IArrowArray array, List<int> rows, string name)
    {
        var data = array.Data;
        if (array is StringArray strings)
        {
            var builder = new StringArray.Builder();
            foreach (var r in rows)
            {
                builder.Append(strings.GetString(r));
            }

            return builder.Build();
        }

        if (data.DataType is not FixedWidthType fixedWidth || fixedWidth.BitWidth % 8 != 0 || data.Buffers.Length != 2 || data.NullCount != 0)
        {
            throw new NotSupportedException($"Column '{name}' ({data.DataType.Name}{(data.NullCount != 0 ? ", with nulls" : string.Empty)}) cannot be split by key; publish batches already partitioned by key, or use fixed-width columns without nulls or Utf8 columns.");
        }

        var width = fixedWidth.BitWidth / 8;
        var source = data.Buffers[1].Span[(data.Offset * width)..];
        var bytes = new byte[rows.Count * width];
        for (var i = 0; i < rows.Count; i++)
        {
            source.Slice(rows[i] * width, width).CopyTo(bytes.AsSpan(i * width, width));
        }

        return ArrowArrayFactory.BuildArray(new ArrayData(data.DataType, rows.Count, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(bytes)]));
    }
}
