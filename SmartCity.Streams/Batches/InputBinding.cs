namespace SmartCity.Streams.Batches;

/// <summary>
/// Which columns of the incoming Arrow batches a pipeline reads: the sensor key, the event time and the
/// measures. Measures are exposed to operators as Float64 columns with the same names.
/// </summary>
public sealed class InputBinding
{
    /// <summary>Creates a binding.</summary>
    /// <param name="keyColumn">Sensor id column: Int32, Int64, UInt32, UTF-8 string or dictionary-encoded string.</param>
    /// <param name="timeColumn">Event time column: Arrow timestamp of any unit, Date64, or Int64 epoch milliseconds.</param>
    /// <param name="measureColumns">Measure columns: Float, Double, Int32 or Int64.</param>
    public InputBinding(string keyColumn, string timeColumn, IReadOnlyList<string> measureColumns)
    {
        if (string.IsNullOrWhiteSpace(keyColumn))
        {
            throw new PipelineConfigurationException("The key column name is empty. Pass the name of the column that holds the sensor id.");
        }

        if (string.IsNullOrWhiteSpace(timeColumn))
        {
            throw new PipelineConfigurationException("The event-time column name is empty. Pass the name of the column that holds each reading's timestamp.");
        }

        ArgumentNullException.ThrowIfNull(measureColumns);
        KeyColumn = keyColumn;
        TimeColumn = timeColumn;
        MeasureColumns = [.. measureColumns];
        var columns = new List<ColumnInfo>(MeasureColumns.Count);
        foreach (var measure in MeasureColumns)
        {
            if (string.Equals(measure, keyColumn, StringComparison.Ordinal) || string.Equals(measure, timeColumn, StringComparison.Ordinal))
            {
                throw new PipelineConfigurationException($"Column '{measure}' is declared both as a measure and as the key or time column.");
            }

            columns.Add(new ColumnInfo(measure, ColumnType.Float64));
        }

        try
        {
            Schema = new BatchSchema(columns);
        }
        catch (ArgumentException e)
        {
            throw new PipelineConfigurationException("The measure columns are invalid: " + e.Message, e);
        }
    }

    /// <summary>Sensor id column.</summary>
    public string KeyColumn { get; }

    /// <summary>Event time column.</summary>
    public string TimeColumn { get; }

    /// <summary>Measure columns.</summary>
    public IReadOnlyList<string> MeasureColumns { get; }

    /// <summary>The schema operators see at the start of the pipeline: one Float64 column per measure.</summary>
    public BatchSchema Schema { get; }
}
