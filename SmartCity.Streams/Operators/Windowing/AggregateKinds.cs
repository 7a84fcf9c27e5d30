namespace SmartCity.Streams.Operators.Windowing;

/// <summary>Aggregates a window computes over one measure; combine them with <c>|</c>.</summary>
/// <remarks>
/// Each aggregate adds one Float64 column named <c>{measure}_{suffix}</c>, with the suffixes
/// <c>count</c>, <c>sum</c>, <c>min</c>, <c>max</c>, <c>mean</c>, <c>var</c>, <c>std</c>, <c>first</c>,
/// <c>last</c>, <c>p50</c>, <c>p90</c>, <c>p95</c>, <c>p99</c>.
/// </remarks>
[Flags]
public enum AggregateKinds
{
    /// <summary>No aggregate.</summary>
    None = 0,

    /// <summary>Number of finite values (rows whose measure was null, NaN or infinite are not counted).</summary>
    Count = 1 << 0,

    /// <summary>Sum of the values (0 when there are none).</summary>
    Sum = 1 << 1,

    /// <summary>Smallest value.</summary>
    Min = 1 << 2,

    /// <summary>Largest value.</summary>
    Max = 1 << 3,

    /// <summary>Arithmetic mean.</summary>
    Mean = 1 << 4,

    /// <summary>Sample variance (n − 1 denominator; NaN below two values), Welford/Chan, mergeable.</summary>
    Variance = 1 << 5,

    /// <summary>Sample standard deviation (square root of <see cref="Variance"/>).</summary>
    StdDev = 1 << 6,

    /// <summary>Value of the row with the earliest event time (the first to arrive among ties).</summary>
    First = 1 << 7,

    /// <summary>Value of the row with the latest event time (the last to arrive among ties).</summary>
    Last = 1 << 8,

    /// <summary>Median, from the quantile sketch.</summary>
    P50 = 1 << 9,

    /// <summary>90th percentile, from the quantile sketch.</summary>
    P90 = 1 << 10,

    /// <summary>95th percentile, from the quantile sketch.</summary>
    P95 = 1 << 11,

    /// <summary>99th percentile, from the quantile sketch.</summary>
    P99 = 1 << 12,

    /// <summary>All four quantiles.</summary>
    Quantiles = P50 | P90 | P95 | P99,

    /// <summary>Every aggregate.</summary>
    All = Count | Sum | Min | Max | Mean | Variance | StdDev | First | Last | Quantiles,
}
