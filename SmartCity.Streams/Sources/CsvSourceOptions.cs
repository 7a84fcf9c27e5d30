namespace SmartCity.Streams.Sources;

/// <summary>Configuration of a <see cref="CsvBatchSource"/>: which columns to read, how to parse them, and what to do with bad rows.</summary>
public sealed record CsvSourceOptions
{
    /// <summary>The sensor id column. Default "sensor".</summary>
    public string KeyColumn { get; init; } = "sensor";

    /// <summary>
    /// When set, the file has no sensor id column (a single series, as in NAB's <c>timestamp,value</c> files):
    /// every row gets this id, under the name <see cref="KeyColumn"/>. Use a string or dictionary
    /// <see cref="KeyType"/> for a text id. Default null (the id is read from <see cref="KeyColumn"/>).
    /// </summary>
    public string? ConstantKey { get; init; }

    /// <summary>How the sensor id is typed. Default <see cref="CsvKeyType.Int64"/>.</summary>
    public CsvKeyType KeyType { get; init; } = CsvKeyType.Int64;

    /// <summary>The event time column. Default "time".</summary>
    public string TimeColumn { get; init; } = "time";

    /// <summary>How times are written. Default ISO-8601.</summary>
    public CsvTimeFormat TimeFormat { get; init; } = CsvTimeFormat.Iso8601;

    /// <summary>The format string for <see cref="CsvTimeFormat.Custom"/> (for example <c>dd/MM/yyyy HH:mm:ss</c>).</summary>
    public string? TimeFormatString { get; init; }

    /// <summary>Measure columns, read as Double; an empty field is a null. Default "speed".</summary>
    public IReadOnlyList<string> MeasureColumns { get; init; } = ["speed"];

    /// <summary>Field delimiter. Default ','.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Whether the first line names the columns. Default true.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>Names of the columns in order, required when <see cref="HasHeader"/> is false.</summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Rows per record batch. Default 8,192.</summary>
    public int BatchSize { get; init; } = 8_192;

    /// <summary>What to do with a row that does not parse. Default <see cref="CsvErrorPolicy.Fail"/>.</summary>
    public CsvErrorPolicy ErrorPolicy { get; init; } = CsvErrorPolicy.Fail;

    /// <summary>How many rejections <see cref="CsvBatchSource.Rejections"/> keeps (the count is always exact). Default 100.</summary>
    public int MaxRejectionsKept { get; init; } = 100;

    /// <summary>Called for every rejected row, on the reading thread.</summary>
    public Action<CsvRejection>? OnRejected { get; init; }

    /// <summary>Characters read at a time. Default 65,536.</summary>
    public int BufferSize { get; init; } = 1 << 16;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(KeyColumn);
        ArgumentException.ThrowIfNullOrEmpty(TimeColumn);
        ArgumentNullException.ThrowIfNull(MeasureColumns);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferSize, 16);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRejectionsKept);
        if (Delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"The delimiter cannot be '{Delimiter}'.", nameof(Delimiter));
        }

        if (TimeFormat == CsvTimeFormat.Custom && string.IsNullOrEmpty(TimeFormatString))
        {
            throw new ArgumentException("TimeFormat Custom needs a TimeFormatString.", nameof(TimeFormatString));
        }

        if (!HasHeader && ColumnNames is not { Count: > 0 })
        {
            throw new ArgumentException("Without a header line, ColumnNames must name the columns in order.", nameof(ColumnNames));
        }

        var names = new HashSet<string>(StringComparer.Ordinal) { KeyColumn };
        if (!names.Add(TimeColumn))
        {
            throw new ArgumentException($"The time column '{TimeColumn}' is also the key column.", nameof(TimeColumn));
        }

        foreach (var m in MeasureColumns)
        {
            if (!names.Add(m))
            {
                throw new ArgumentException($"The column '{m}' is mapped twice.", nameof(MeasureColumns));
            }
        }
    }
}
