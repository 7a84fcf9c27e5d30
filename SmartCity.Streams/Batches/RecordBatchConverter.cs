using Apache.Arrow;
using Apache.Arrow.Types;

namespace SmartCity.Streams.Batches;

/// <summary>
/// Turns a <see cref="StreamBatch"/> into an Arrow <see cref="RecordBatch"/> at a stage boundary: a
/// <c>key</c> column (Int64, or Utf8 for string sensor ids), the event time as <c>time</c>
/// (Timestamp, microseconds, UTC), then every value column with its name.
/// </summary>
public static class RecordBatchConverter
{
    /// <summary>Name of the key column in converted batches.</summary>
    public const string KeyColumnName = "key";

    /// <summary>Name of the event-time column in converted batches.</summary>
    public const string TimeColumnName = "time";

    private static readonly TimestampType MicrosUtc = new(TimeUnit.Microsecond, "UTC");

    /// <summary>Copies a batch into a new Arrow record batch.</summary>
    public static RecordBatch ToRecordBatch(StreamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var keys = batch.Keys;
        var stringKeys = batch.Length > 0 && batch.KeyIndex[keys[0]].IsString;
        var fields = new List<Field>(batch.Schema.Count + 2);
        var arrays = new List<IArrowArray>(batch.Schema.Count + 2);

        if (stringKeys)
        {
            var builder = new StringArray.Builder().Reserve(batch.Length);
            foreach (var k in keys)
            {
                builder.Append(batch.KeyIndex[k].ToString());
            }

            arrays.Add(builder.Build());
            fields.Add(new Field(KeyColumnName, StringType.Default, nullable: false));
        }
        else
        {
            var builder = new Int64Array.Builder().Reserve(batch.Length);
            foreach (var k in keys)
            {
                builder.Append(batch.KeyIndex[k].Number);
            }

            arrays.Add(builder.Build());
            fields.Add(new Field(KeyColumnName, Int64Type.Default, nullable: false));
        }

        arrays.Add(Timestamps(batch.Times));
        fields.Add(new Field(TimeColumnName, MicrosUtc, nullable: false));

        for (var c = 0; c < batch.Schema.Count; c++)
        {
            var column = batch.Schema.Columns[c];
            switch (column.Type)
            {
                case ColumnType.Float64:
                    arrays.Add(new DoubleArray.Builder().Append(batch.GetDoubles(c)).Build());
                    fields.Add(new Field(column.Name, DoubleType.Default, nullable: true));
                    break;
                case ColumnType.Boolean:
                    {
                        var builder = new BooleanArray.Builder().Reserve(batch.Length);
                        foreach (var v in batch.GetInt64s(c))
                        {
                            builder.Append(v != 0);
                        }

                        arrays.Add(builder.Build());
                        fields.Add(new Field(column.Name, BooleanType.Default, nullable: false));
                        break;
                    }

                default:
                    if (column.IsTimestamp)
                    {
                        arrays.Add(Timestamps(batch.GetInt64s(c)));
                        fields.Add(new Field(column.Name, MicrosUtc, nullable: false));
                    }
                    else
                    {
                        arrays.Add(new Int64Array.Builder().Append(batch.GetInt64s(c)).Build());
                        fields.Add(new Field(column.Name, Int64Type.Default, nullable: false));
                    }

                    break;
            }
        }

        return new RecordBatch(new Schema(fields, null), arrays, batch.Length);
    }

    private static TimestampArray Timestamps(ReadOnlySpan<long> micros)
    {
        var bytes = new byte[micros.Length * sizeof(long)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(micros).CopyTo(bytes);
        return new TimestampArray(new ArrayData(MicrosUtc, micros.Length, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(bytes)]));
    }
}
