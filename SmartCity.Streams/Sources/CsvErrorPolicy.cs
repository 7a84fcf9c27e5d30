namespace SmartCity.Streams.Sources;

/// <summary>What a CSV source does with a row that does not parse.</summary>
public enum CsvErrorPolicy
{
    /// <summary>Stop with a <see cref="SourceFormatException"/> naming the line, column and text; rows before it are delivered.</summary>
    Fail,

    /// <summary>Reject the row, count it in <see cref="BatchSource.RowsRejected"/> and go on.</summary>
    Skip,
}
