using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Sources;

/// <summary>
/// Reads a CSV file or stream into Arrow record batches of <see cref="CsvSourceOptions.BatchSize"/> rows, streaming:
/// only one buffer of text and one batch are held at a time, whatever the input's size.
/// </summary>
/// <remarks>
/// <para>Output columns, named as configured: the key (Int64, Utf8 or Dictionary&lt;Int32, Utf8&gt;), the time
/// (Timestamp µs UTC) and the measures (Double; an empty field is null). Other CSV columns are ignored. The
/// schema is known before reading, so a pipeline fails fast on a column the mapping does not provide.</para>
/// <para>Fields are parsed from spans of a reused buffer: no allocation per row, except one string per new
/// sensor id with <see cref="CsvKeyType.Dictionary"/>.</para>
/// </remarks>
public sealed class CsvBatchSource : BatchSource
{
    private readonly CsvSourceOptions _options;
    private readonly CsvRecordReader _reader;
    private readonly Schema _schema;
    private readonly TimestampType _timeType = new(TimeUnit.Microsecond, "UTC");
    private readonly List<CsvRejection> _rejections = [];
    private readonly ManagedBufferPool _pool;
    private readonly int _measures;
    private readonly Dictionary<string, int> _keyIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _keyLookup;
    private readonly List<string> _keyNames = [];
    private int[] _keyLocal = [];
    private int[] _keyStamp = [];
    private readonly List<int> _batchKeys = [];
    private byte[] _keyBytes = new byte[1024];
    private int _stamp;

    private int[] _columnIndex = [];
    private string[] _header = [];
    private int _requiredFields;
    private bool _started;
    private bool _ended;
    private SourceException? _pending;
    private long _rejected;
    private long _batches;
    private SourceBatch _current;

    /// <summary>Reads CSV text from <paramref name="stream"/> (UTF-8, or the encoding its byte order mark says).</summary>
    /// <param name="stream">The CSV bytes.</param>
    /// <param name="options">Column mapping and parsing options.</param>
    /// <param name="name">Name used in error messages.</param>
    /// <param name="leaveOpen">Leave the stream open when the source is disposed.</param>
    public CsvBatchSource(Stream stream, CsvSourceOptions options, string? name = null, bool leaveOpen = false)
        : this(new StreamReader(stream ?? throw new ArgumentNullException(nameof(stream)), Encoding.UTF8, true, 1 << 16, leaveOpen), options, name ?? "CSV stream")
    {
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="name"/> is used in error messages.</summary>
    public CsvBatchSource(TextReader reader, CsvSourceOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Name = name ?? throw new ArgumentNullException(nameof(name));
        _reader = new CsvRecordReader(reader, options.Delimiter, options.BufferSize);
        _measures = options.MeasureColumns.Count;
        _keyLookup = _keyIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _schema = BuildSchema();
        var rows = options.BatchSize;
        var sizes = new int[2 + (2 * _measures)];
        sizes[0] = (rows + 1) * 8;
        sizes[1] = rows * 8;
        for (var m = 0; m < _measures; m++)
        {
            sizes[2 + (2 * m)] = rows * 8;
            sizes[3 + (2 * m)] = (rows + 7) / 8;
        }

        _pool = new ManagedBufferPool(sizes);
    }

    /// <summary>Opens a CSV file.</summary>
    public static CsvBatchSource Open(string path, CsvSourceOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: false);
        return new CsvBatchSource(file, options, path);
    }

    /// <summary>The file or stream name used in errors.</summary>
    public string Name { get; }

    /// <summary>The first rejected rows (up to <see cref="CsvSourceOptions.MaxRejectionsKept"/>).</summary>
    public IReadOnlyList<CsvRejection> Rejections => _rejections;

    /// <inheritdoc />
    public override long RowsRejected => _rejected;

    /// <inheritdoc />
    public override Schema Schema => _schema;

    /// <inheritdoc />
    public override SourceBatch Current => _current;

    /// <inheritdoc />
    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (_pending is { } pending)
        {
            _pending = null;
            _ended = true;
            throw pending.Exception;
        }

        if (_ended)
        {
            return false;
        }

        if (!_started)
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
            _started = true;
        }

        var set = _pool.Rent();
        var builder = new BatchColumns(set);
        builder.ClearValidity(_options.BatchSize);
        _stamp++;
        _batchKeys.Clear();
        var keyByteCount = 0;
        var rows = 0;
        while (rows < _options.BatchSize)
        {
            var result = _reader.TryRead();
            if (result == CsvRecordReader.Result.NeedMore)
            {
                await _reader.FillAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (result == CsvRecordReader.Result.End)
            {
                _ended = true;
                break;
            }

            if (_reader.IsBlank)
            {
                continue;
            }

            var error = ParseRow(builder, rows, ref keyByteCount);
            if (error is null)
            {
                rows++;
                continue;
            }

            builder.ClearRow(rows);
            if (_options.ErrorPolicy == CsvErrorPolicy.Skip)
            {
                Reject(error.Value);
                continue;
            }

            _pending = new SourceException(new SourceFormatException(Name, error.Value.Line, error.Value.Column, error.Value.Text, error.Value.Reason));
            break;
        }

        if (rows == 0)
        {
            _pool.Recycle(set);
            return await MoveNextAsync(cancellationToken).ConfigureAwait(false);
        }

        var batch = BuildBatch(set, builder, rows, keyByteCount);
        _batches++;
        _current = new SourceBatch(batch, 0, _batches);
        return true;
    }

    /// <inheritdoc />
    public override void Release(in SourceBatch batch)
    {
        _pool.Return(batch.Batch);
        batch.Batch.Dispose();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reader.Dispose();
        }

        base.Dispose(disposing);
    }

    private Schema BuildSchema()
    {
        IArrowType keyType = _options.KeyType switch
        {
            CsvKeyType.Int64 => Int64Type.Default,
            CsvKeyType.String => StringType.Default,
            _ => new DictionaryType(Int32Type.Default, StringType.Default, false),
        };
        var builder = new Schema.Builder()
            .Field(f => f.Name(_options.KeyColumn).DataType(keyType).Nullable(false))
            .Field(f => f.Name(_options.TimeColumn).DataType(_timeType).Nullable(false));
        foreach (var m in _options.MeasureColumns)
        {
            builder.Field(f => f.Name(m).DataType(DoubleType.Default).Nullable(true));
        }

        return builder.Build();
    }

    private async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        if (_options.HasHeader)
        {
            while (true)
            {
                var result = _reader.TryRead();
                if (result == CsvRecordReader.Result.NeedMore)
                {
                    await _reader.FillAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (result == CsvRecordReader.Result.End)
                {
                    throw new SourceFormatException(Name, 1, null, null, "the input is empty: a header line naming the columns was expected.");
                }

                if (_reader.IsBlank)
                {
                    continue;
                }

                _header = new string[_reader.FieldCount];
                for (var i = 0; i < _header.Length; i++)
                {
                    _header[i] = _reader.Field(i).Trim().ToString();
                }

                break;
            }
        }
        else
        {
            _header = [.. _options.ColumnNames!];
        }

        var wanted = new List<string> { _options.KeyColumn, _options.TimeColumn };
        wanted.AddRange(_options.MeasureColumns);
        _columnIndex = new int[wanted.Count];
        for (var i = 0; i < wanted.Count; i++)
        {
            if (i == 0 && _options.ConstantKey is not null)
            {
                _columnIndex[i] = -1;
                continue;
            }

            _columnIndex[i] = System.Array.IndexOf(_header, wanted[i]);
            if (_columnIndex[i] < 0)
            {
                throw new SourceFormatException(Name, _options.HasHeader ? _reader.Line : 0, wanted[i], null,
                    $"the column is missing from the {(_options.HasHeader ? "header" : "configured column names")}. Available columns: {string.Join(", ", _header)}.");
            }

            _requiredFields = Math.Max(_requiredFields, _columnIndex[i] + 1);
        }
    }

    private Fault? ParseRow(BatchColumns columns, int row, ref int keyByteCount)
    {
        var reader = _reader;
        if (reader.Malformed)
        {
            return new Fault(reader.Line, null, null, "a quoted field is not closed properly (a quote must be doubled inside quotes).");
        }

        if (reader.FieldCount < _requiredFields)
        {
            return new Fault(reader.Line, null, null, $"expected at least {_requiredFields} fields, found {reader.FieldCount}.");
        }

        var time = reader.Field(_columnIndex[1]);
        if (!TryParseTime(time, out columns.Times[row]))
        {
            return new Fault(reader.Line, _options.TimeColumn, time.ToString(), "the time does not parse; expected " + DescribeTimeFormat() + ".");
        }

        for (var m = 0; m < _measures; m++)
        {
            var text = reader.Field(_columnIndex[2 + m]).Trim();
            if (text.IsEmpty)
            {
                continue; // null: the validity bit stays 0
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return new Fault(reader.Line, _options.MeasureColumns[m], text.ToString(), "expected a number (invariant culture, '.' as decimal separator) or an empty field.");
            }

            columns.Values(m)[row] = value;
            columns.Validity(m)[row >> 3] |= (byte)(1 << (row & 7));
        }

        // The key goes last: a rejected row must leave no trace in the key buffers.
        var key = _options.ConstantKey is { } constant ? constant.AsSpan() : reader.Field(_columnIndex[0]).Trim();
        switch (_options.KeyType)
        {
            case CsvKeyType.Int64:
                if (!long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out columns.Keys[row]))
                {
                    return new Fault(reader.Line, _options.KeyColumn, key.ToString(), "expected an integer sensor id.");
                }

                break;
            case CsvKeyType.String:
                if (key.IsEmpty)
                {
                    return new Fault(reader.Line, _options.KeyColumn, string.Empty, "the sensor id is empty.");
                }

                var needed = keyByteCount + Encoding.UTF8.GetMaxByteCount(key.Length);
                if (needed > _keyBytes.Length)
                {
                    System.Array.Resize(ref _keyBytes, Math.Max(needed, _keyBytes.Length * 2));
                }

                MemoryMarshal.Cast<long, int>(columns.Keys)[row] = keyByteCount;
                keyByteCount += Encoding.UTF8.GetBytes(key, _keyBytes.AsSpan(keyByteCount));
                MemoryMarshal.Cast<long, int>(columns.Keys)[row + 1] = keyByteCount;
                break;
            default:
                if (key.IsEmpty)
                {
                    return new Fault(reader.Line, _options.KeyColumn, string.Empty, "the sensor id is empty.");
                }

                MemoryMarshal.Cast<long, int>(columns.Keys)[row] = LocalKey(key);
                break;
        }

        return null;
    }

    private int LocalKey(ReadOnlySpan<char> key)
    {
        if (!_keyLookup.TryGetValue(key, out var id))
        {
            var name = key.ToString();
            id = _keyNames.Count;
            _keyIds.Add(name, id);
            _keyNames.Add(name);
            if (id >= _keyLocal.Length)
            {
                System.Array.Resize(ref _keyLocal, Math.Max(16, _keyLocal.Length * 2));
                System.Array.Resize(ref _keyStamp, _keyLocal.Length);
            }
        }

        if (_keyStamp[id] != _stamp)
        {
            _keyStamp[id] = _stamp;
            _keyLocal[id] = _batchKeys.Count;
            _batchKeys.Add(id);
        }

        return _keyLocal[id];
    }

    private bool TryParseTime(ReadOnlySpan<char> text, out long micros)
    {
        text = text.Trim();
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        switch (_options.TimeFormat)
        {
            case CsvTimeFormat.Iso8601:
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out var iso))
                {
                    micros = EventTime.FromDateTimeOffset(iso);
                    return true;
                }

                break;
            case CsvTimeFormat.Custom:
                if (DateTimeOffset.TryParseExact(text, _options.TimeFormatString, CultureInfo.InvariantCulture, styles, out var custom))
                {
                    micros = EventTime.FromDateTimeOffset(custom);
                    return true;
                }

                break;
            default:
                var scale = _options.TimeFormat == CsvTimeFormat.EpochSeconds ? EventTime.MicrosPerSecond : EventTime.MicrosPerMilli;
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    micros = whole * scale;
                    return true;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fractional) && double.IsFinite(fractional))
                {
                    micros = (long)Math.Round(fractional * scale);
                    return true;
                }

                break;
        }

        micros = 0;
        return false;
    }

    private string DescribeTimeFormat() => _options.TimeFormat switch
    {
        CsvTimeFormat.Iso8601 => "an ISO-8601 date and time such as 2024-03-04T08:15:00Z",
        CsvTimeFormat.Custom => $"the format '{_options.TimeFormatString}'",
        CsvTimeFormat.EpochSeconds => "seconds since 1970-01-01 UTC",
        _ => "milliseconds since 1970-01-01 UTC",
    };

    private void Reject(Fault fault)
    {
        _rejected++;
        var rejection = new CsvRejection(fault.Line, fault.Column, fault.Text, fault.Reason);
        if (_rejections.Count < _options.MaxRejectionsKept)
        {
            _rejections.Add(rejection);
        }

        _options.OnRejected?.Invoke(rejection);
    }

    private RecordBatch BuildBatch(byte[][] set, BatchColumns columns, int rows, int keyByteCount)
    {
        var arrays = new IArrowArray[2 + _measures];
        switch (_options.KeyType)
        {
            case CsvKeyType.Int64:
                arrays[0] = new Int64Array(new ArrowBuffer(set[0].AsMemory(0, rows * 8)), ArrowBuffer.Empty, rows, 0, 0);
                break;
            case CsvKeyType.String:
                arrays[0] = new StringArray(rows, new ArrowBuffer(set[0].AsMemory(0, (rows + 1) * 4)),
                    new ArrowBuffer(_keyBytes.AsSpan(0, keyByteCount).ToArray()), ArrowBuffer.Empty, 0, 0);
                break;
            default:
                var dictionary = new StringArray.Builder();
                foreach (var id in _batchKeys)
                {
                    dictionary.Append(_keyNames[id]);
                }

                var indices = new Int32Array(new ArrowBuffer(set[0].AsMemory(0, rows * 4)), ArrowBuffer.Empty, rows, 0, 0);
                arrays[0] = new DictionaryArray((DictionaryType)_schema.GetFieldByIndex(0).DataType, indices, dictionary.Build());
                break;
        }

        arrays[1] = new TimestampArray(_timeType, new ArrowBuffer(set[1].AsMemory(0, rows * 8)), ArrowBuffer.Empty, rows, 0, 0);
        for (var m = 0; m < _measures; m++)
        {
            var validity = set[3 + (2 * m)].AsSpan(0, (rows + 7) / 8);
            var nulls = rows - BitCount(validity, rows);
            arrays[2 + m] = new DoubleArray(new ArrowBuffer(set[2 + (2 * m)].AsMemory(0, rows * 8)),
                nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(set[3 + (2 * m)].AsMemory(0, validity.Length)), rows, nulls, 0);
        }

        var batch = new RecordBatch(_schema, arrays, rows);
        _pool.Lend(batch, set);
        return batch;
    }

    private static int BitCount(ReadOnlySpan<byte> bits, int length)
    {
        var count = 0;
        var full = length >> 3;
        for (var i = 0; i < full; i++)
        {
            count += System.Numerics.BitOperations.PopCount(bits[i]);
        }

        if ((length & 7) != 0)
        {
            count += System.Numerics.BitOperations.PopCount((uint)(bits[full] & ((1 << (length & 7)) - 1)));
        }

        return count;
    }

    private readonly record struct Fault(long Line, string? Column, string? Text, string Reason);

    private sealed class SourceException(SourceFormatException exception)
    {
        public SourceFormatException Exception { get; } = exception;
    }

    /// <summary>Typed views over one pooled buffer set.</summary>
    private readonly struct BatchColumns(byte[][] set)
    {
        private readonly byte[][] _set = set;

        public Span<long> Keys => MemoryMarshal.Cast<byte, long>(_set[0].AsSpan());

        public Span<long> Times => MemoryMarshal.Cast<byte, long>(_set[1].AsSpan());

        public Span<double> Values(int measure) => MemoryMarshal.Cast<byte, double>(_set[2 + (2 * measure)].AsSpan());

        public Span<byte> Validity(int measure) => _set[3 + (2 * measure)].AsSpan();

        public void ClearRow(int row)
        {
            for (var m = 3; m < _set.Length; m += 2)
            {
                _set[m][row >> 3] &= (byte)~(1 << (row & 7));
            }
        }

        public void ClearValidity(int rows)
        {
            for (var m = 3; m < _set.Length; m += 2)
            {
                _set[m].AsSpan(0, (rows + 7) / 8).Clear();
            }
        }
    }
}
