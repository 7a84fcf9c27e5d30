using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>One measure resolved against the input schema: where to read it, what to track, where to write.</summary>
internal readonly struct MeasurePlan
{
    public MeasurePlan(int ordinal, AggregateKinds kinds, int firstOutputColumn)
    {
        Ordinal = ordinal;
        Kinds = kinds;
        FirstOutputColumn = firstOutputColumn;
        Moments = (kinds & (AggregateKinds.Variance | AggregateKinds.StdDev)) != 0;
        MinMax = (kinds & (AggregateKinds.Min | AggregateKinds.Max)) != 0;
        FirstLast = (kinds & (AggregateKinds.First | AggregateKinds.Last)) != 0;
        Sketch = (kinds & AggregateKinds.Quantiles) != 0;
    }

    public int Ordinal { get; }

    public AggregateKinds Kinds { get; }

    public int FirstOutputColumn { get; }

    public bool Moments { get; }

    public bool MinMax { get; }

    public bool FirstLast { get; }

    public bool Sketch { get; }

    /// <summary>Count, sum and mean only: the kernel needs neither branches nor the sketch.</summary>
    public bool Simple => !Moments && !MinMax && !FirstLast && !Sketch;

    /// <summary>Output columns of one measure, in <see cref="AggregateKinds"/> bit order.</summary>
    public static IEnumerable<ColumnInfo> Columns(WindowMeasure measure)
    {
        for (var bit = 0; bit < AggregateCount; bit++)
        {
            if (((int)measure.Aggregates & (1 << bit)) != 0)
            {
                yield return new ColumnInfo(measure.Column + "_" + Suffixes[bit], ColumnType.Float64);
            }
        }
    }

    public const int AggregateCount = 13;

    public static readonly string[] Suffixes = ["count", "sum", "min", "max", "mean", "var", "std", "first", "last", "p50", "p90", "p95", "p99"];

    public static readonly double[] Quantiles = [0.5, 0.9, 0.95, 0.99];
}
