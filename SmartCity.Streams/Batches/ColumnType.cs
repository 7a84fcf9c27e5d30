namespace SmartCity.Streams.Batches;

/// <summary>The physical type of a value column inside a <see cref="StreamBatch"/>.</summary>
public enum ColumnType
{
    /// <summary>64-bit floating point; missing values are NaN.</summary>
    Float64,

    /// <summary>64-bit integer (timestamps in microseconds, counts, horizons).</summary>
    Int64,

    /// <summary>A flag stored as Int64 0/1 inside the engine and written as an Arrow boolean at the boundary.</summary>
    Boolean,
}
