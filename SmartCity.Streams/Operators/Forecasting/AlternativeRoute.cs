using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>A route sensor and a sensor on a parallel route that can take its traffic.</summary>
/// <param name="Route">The sensor that may congest.</param>
/// <param name="Alternative">The sensor of the parallel route.</param>
public readonly record struct AlternativeRoute(SensorId Route, SensorId Alternative);
