using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>A directed road-graph edge between two sensors, by raw id: congestion at <paramref name="From"/>'s neighbour <paramref name="To"/> informs <paramref name="From"/>'s forecast.</summary>
/// <param name="From">The sensor whose forecast uses the neighbour.</param>
/// <param name="To">The neighbour.</param>
/// <param name="Weight">Positive weight of the neighbour in the weighted mean.</param>
public readonly record struct RoadEdge(SensorId From, SensorId To, double Weight = 1);
