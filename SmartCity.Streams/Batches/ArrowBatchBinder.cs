using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace SmartCity.Streams.Batches;

/// <summary>
/// Binds Arrow record batches to a pipeline's <see cref="InputBinding"/>: resolves column names to
/// ordinals once per schema, validates types, rejects rows whose key or time is null, and exposes the rest
/// as a <see cref="StreamBatch"/> without copying.
/// </summary>
internal sealed class ArrowBatchBinder
{
    private readonly InputBinding _binding;
    private readonly ArrowKeySlot _keys;
    private readonly ArrowTimeSlot _times = new();
    private readonly ArrowMeasureSlot[] _measures;
    private readonly StreamBatch _batch;
    private Schema? _boundSchema;
    private int _keyOrdinal;
    private int _timeOrdinal;
    private int[] _measureOrdinals;
    private int[] _rows = [];

    public ArrowBatchBinder(InputBinding binding, KeyIndex keyIndex)
    {
        _binding = binding;
        _keys = new ArrowKeySlot(keyIndex);
        _measures = new ArrowMeasureSlot[binding.MeasureColumns.Count];
        for (var i = 0; i < _measures.Length; i++)
        {
            _measures[i] = new ArrowMeasureSlot();
        }

        _measureOrdinals = new int[_measures.Length];
        _batch = new StreamBatch(binding.Schema, keyIndex, _keys, _times, _measures);
    }

    /// <summary>Rows rejected by the last <see cref="Bind"/> call (null key or null time).</summary>
    public int LastRejected { get; private set; }

    /// <summary>
    /// Binds a record batch. <paramref name="selection"/> (increasing row indices, or null for all rows)
    /// restricts the batch to one lane's rows.
    /// </summary>
    public StreamBatch Bind(RecordBatch batch, ReadOnlySpan<int> selection, bool selectAll, long sequence)
    {
        if (!ReferenceEquals(batch.Schema, _boundSchema))
        {
            Resolve(batch.Schema);
        }

        var key = batch.Column(_keyOrdinal);
        var time = batch.Column(_timeOrdinal);
        var needsFilter = key.NullCount > 0 || time.NullCount > 0 || (key is DictionaryArray d && d.Dictionary.NullCount > 0);
        int[]? rows = null;
        var count = selectAll ? batch.Length : selection.Length;
        LastRejected = 0;
        if (!selectAll || needsFilter)
        {
            if (_rows.Length < count)
            {
                _rows = new int[Math.Max(count, _rows.Length * 2)];
            }

            var n = 0;
            for (var i = 0; i < count; i++)
            {
                var row = selectAll ? i : selection[i];
                if (needsFilter && IsNullKeyOrTime(key, time, row))
                {
                    LastRejected++;
                    continue;
                }

                _rows[n++] = row;
            }

            count = n;
            rows = _rows;
        }

        _keys.Point(key, rows);
        _times.Point(time, rows);
        for (var i = 0; i < _measures.Length; i++)
        {
            _measures[i].Point(batch.Column(_measureOrdinals[i]), rows);
        }

        _batch.Reset(count, sequence);
        return _batch;
    }

    /// <summary>Validates a schema against the binding; throws <see cref="SchemaMismatchException"/>.</summary>
    public static (int Key, int Time, int[] Measures) Validate(Schema schema, InputBinding binding)
    {
        var key = Find(schema, binding.KeyColumn, "key", "Int32, Int64, UInt32, Utf8 string or a dictionary-encoded Utf8 string", IsKeyType);
        var time = Find(schema, binding.TimeColumn, "event-time", "Timestamp (any unit), Date64, Date32 or Int64 epoch milliseconds", IsTimeType);
        var measures = new int[binding.MeasureColumns.Count];
        for (var i = 0; i < measures.Length; i++)
        {
            measures[i] = Find(schema, binding.MeasureColumns[i], "measure", "Double, Float, Int32 or Int64", IsMeasureType);
        }

        return (key, time, measures);
    }

    internal static string DescribeSchema(Schema schema)
    {
        var text = new StringBuilder();
        foreach (var field in schema.FieldsList)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(field.Name).Append(':').Append(DescribeType(field.DataType));
        }

        return text.Length == 0 ? "(none)" : text.ToString();
    }

    internal static string DescribeType(IArrowType type) => type switch
    {
        TimestampType ts => $"Timestamp({ts.Unit})",
        DictionaryType dt => $"Dictionary<{DescribeType(dt.IndexType)},{DescribeType(dt.ValueType)}>",
        _ => type.Name,
    };

    private static bool IsNullKeyOrTime(IArrowArray key, IArrowArray time, int row)
    {
        if (key.IsNull(row) || time.IsNull(row))
        {
            return true;
        }

        return key is DictionaryArray d && d.Dictionary.IsNull(ArrowKeySlot.DictionaryIndex(d.Indices, row));
    }

    private void Resolve(Schema schema)
    {
        // Sources that build a new Schema object per batch (CSV, generators, tests) would otherwise pay
        // a full validation, and its allocations, on every batch.
        if (_boundSchema is null || !SameLayout(_boundSchema, schema))
        {
            (_keyOrdinal, _timeOrdinal, _measureOrdinals) = Validate(schema, _binding);
        }

        _boundSchema = schema;
    }

    internal static bool SameLayout(Schema bound, Schema candidate)
    {
        var a = bound.FieldsList;
        var b = candidate.FieldsList;
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Name, b[i].Name, StringComparison.Ordinal) || !SameType(a[i].DataType, b[i].DataType))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameType(IArrowType a, IArrowType b) => a.TypeId == b.TypeId && a.TypeId switch
    {
        ArrowTypeId.Timestamp => ((TimestampType)a).Unit == ((TimestampType)b).Unit,
        ArrowTypeId.Dictionary => ((DictionaryType)a).IndexType.TypeId == ((DictionaryType)b).IndexType.TypeId
            && ((DictionaryType)a).ValueType.TypeId == ((DictionaryType)b).ValueType.TypeId,
        _ => true,
    };

    private static int Find(Schema schema, string name, string role, string expected, Func<IArrowType, bool> accepts)
    {
        var index = schema.GetFieldIndex(name);
        if (index < 0)
        {
            throw new SchemaMismatchException(name, role, null, expected, DescribeSchema(schema));
        }

        var type = schema.GetFieldByIndex(index).DataType;
        if (!accepts(type))
        {
            throw new SchemaMismatchException(name, role, DescribeType(type), expected, DescribeSchema(schema));
        }

        return index;
    }

    private static bool IsKeyType(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Int32 or ArrowTypeId.Int64 or ArrowTypeId.UInt32 or ArrowTypeId.String => true,
        ArrowTypeId.Dictionary => ((DictionaryType)type).ValueType.TypeId == ArrowTypeId.String && IsIndexType(((DictionaryType)type).IndexType),
        _ => false,
    };

    private static bool IsIndexType(IArrowType type) => type.TypeId is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32
        or ArrowTypeId.Int64 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32;

    private static bool IsTimeType(IArrowType type) => type.TypeId is ArrowTypeId.Timestamp or ArrowTypeId.Date64 or ArrowTypeId.Date32 or ArrowTypeId.Int64;

    private static bool IsMeasureType(IArrowType type) => type.TypeId is ArrowTypeId.Double or ArrowTypeId.Float or ArrowTypeId.Int32 or ArrowTypeId.Int64;
}
