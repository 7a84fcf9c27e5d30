using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>Names and ordinals of the fixed columns of a window's output.</summary>
public static class WindowColumns
{
    /// <summary>Start of the window (inclusive), a timestamp column.</summary>
    public const string WindowStart = "window_start";

    /// <summary>End of the window (exclusive), a timestamp column; also the output row's event time.</summary>
    public const string WindowEnd = "window_end";

    /// <summary>Rows that fell into the window (including rows whose measures were skipped).</summary>
    public const string RowCount = "count";

    /// <summary>True when the row replaces an earlier result of the same window (late data, or after an early result).</summary>
    public const string IsUpdate = "is_update";

    internal const int Start = 0;
    internal const int End = 1;
    internal const int Count = 2;
    internal const int FirstAggregate = 3;

    internal static BatchSchema Schema(IReadOnlyList<WindowMeasure> measures)
    {
        var columns = new List<ColumnInfo>
        {
            new(WindowStart, ColumnType.Int64, IsTimestamp: true),
            new(WindowEnd, ColumnType.Int64, IsTimestamp: true),
            new(RowCount, ColumnType.Int64),
        };
        foreach (var measure in measures)
        {
            columns.AddRange(MeasurePlan.Columns(measure));
        }

        columns.Add(new ColumnInfo(IsUpdate, ColumnType.Boolean));
        return new BatchSchema(columns);
    }
}
