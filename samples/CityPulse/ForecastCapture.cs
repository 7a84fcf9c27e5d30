using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Forecasting;

namespace CityPulse;

/// <summary>
/// Keeps the forecasts of one sensor at one horizon (forecast, lower and upper bound by target time) from the
/// forecast batches leaving the pipeline; every other row is ignored, so memory is one day of one sensor.
/// </summary>
internal sealed class ForecastCapture(long sensor, int horizon, long from) : IBatchSink
{
    private readonly List<(long Target, double Forecast, double Lower, double Upper)> _points = [];

    public long Sensor => sensor;

    public int Horizon => horizon;

    /// <summary>The captured forecasts in target-time order (read after the run).</summary>
    public IReadOnlyList<(long Target, double Forecast, double Lower, double Upper)> Points => [.. _points.OrderBy(p => p.Target)];

    public void OnBatch(StreamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var schema = batch.Schema;
        var targets = batch.GetInt64s(schema.IndexOf(ForecastOperator.TargetTimeColumn));
        var horizons = batch.GetInt64s(schema.IndexOf(ForecastOperator.HorizonColumn));
        var forecasts = batch.GetDoubles(schema.IndexOf(ForecastOperator.ForecastColumn));
        var lower = batch.GetDoubles(schema.IndexOf(ForecastOperator.LowerColumn));
        var upper = batch.GetDoubles(schema.IndexOf(ForecastOperator.UpperColumn));
        var keys = batch.Keys;
        for (var i = 0; i < keys.Length; i++)
        {
            if (horizons[i] == horizon && targets[i] >= from && batch.KeyIndex[keys[i]].Number == sensor)
            {
                _points.Add((targets[i], forecasts[i], lower[i], upper[i]));
            }
        }
    }

    public void OnCompleted(Exception? error)
    {
    }
}
