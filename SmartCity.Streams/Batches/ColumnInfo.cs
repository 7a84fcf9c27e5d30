namespace SmartCity.Streams.Batches;

/// <summary>Name and type of one value column of a <see cref="BatchSchema"/>.</summary>
/// <param name="Name">Column name, unique inside the schema.</param>
/// <param name="Type">Physical type.</param>
/// <param name="IsTimestamp">True when an Int64 column holds event times (microseconds since the epoch); Arrow output then uses a timestamp type.</param>
public readonly record struct ColumnInfo(string Name, ColumnType Type, bool IsTimestamp = false);
