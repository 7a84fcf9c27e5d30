namespace SmartCity.Streams.Sources;

/// <summary>
/// A source's input is malformed: a truncated or corrupt Arrow IPC stream or file, or a CSV field that does
/// not parse. The message names the input and where in it the fault is. Batches before the fault were
/// already delivered.
/// </summary>
public sealed class SourceFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SourceFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SourceFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SourceFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a fault in a batch-structured input (Arrow IPC).</summary>
    /// <param name="inputName">The file or stream name.</param>
    /// <param name="batchIndex">Zero-based index of the record batch that could not be read.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The reader's own error, if any.</param>
    public SourceFormatException(string inputName, long batchIndex, string message, Exception? innerException)
        : base($"{inputName}: record batch {batchIndex}: {message}", innerException)
    {
        InputName = inputName;
        BatchIndex = batchIndex;
    }

    /// <summary>Creates the exception for a fault in a line-structured input (CSV).</summary>
    /// <param name="inputName">The file or stream name.</param>
    /// <param name="lineNumber">One-based line number of the faulty record.</param>
    /// <param name="column">The column at fault, if one.</param>
    /// <param name="text">The text that did not parse, if any.</param>
    /// <param name="message">What is wrong and what was expected.</param>
    public SourceFormatException(string inputName, long lineNumber, string? column, string? text, string message)
        : base($"{inputName}: line {lineNumber}{(column is null ? string.Empty : $", column '{column}'")}{(text is null ? string.Empty : $", text '{text}'")}: {message}")
    {
        InputName = inputName;
        LineNumber = lineNumber;
        Column = column;
        Text = text;
    }

    /// <summary>The file or stream at fault.</summary>
    public string? InputName { get; }

    /// <summary>Zero-based index of the record batch that could not be read, or -1.</summary>
    public long BatchIndex { get; } = -1;

    /// <summary>One-based line number of the faulty record, or -1.</summary>
    public long LineNumber { get; } = -1;

    /// <summary>The column at fault, if known.</summary>
    public string? Column { get; }

    /// <summary>The text that failed to parse, if known.</summary>
    public string? Text { get; }
}
