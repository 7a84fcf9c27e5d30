namespace SmartCity.Streams.Operators.Windowing;

/// <summary>A Float64 measure column and the aggregates a window computes over it.</summary>
/// <param name="Column">Name of the measure column in the window's input.</param>
/// <param name="Aggregates">Aggregates to compute; at least one.</param>
public sealed record WindowMeasure(string Column, AggregateKinds Aggregates);
