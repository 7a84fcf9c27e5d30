namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>The forecasting models an <see cref="OnlineForecaster"/> runs side by side.</summary>
[Flags]
public enum ForecastModels
{
    /// <summary>No model.</summary>
    None = 0,

    /// <summary>Last observed value held for every horizon (baseline).</summary>
    Persistence = 1,

    /// <summary>The value one season (one day) earlier at the same slot (baseline).</summary>
    SeasonalNaive = 2,

    /// <summary>Mean of all past values at the same time-of-week slot, falling back to time of day (baseline).</summary>
    HistoricalAverage = 4,

    /// <summary>Additive Holt-Winters with damped trend and a daily season.</summary>
    HoltWinters = 8,

    /// <summary>Direct multi-horizon autoregression on the deseasonalised series, fitted by recursive least squares with forgetting; uses road-graph neighbours when a graph is supplied.</summary>
    Autoregressive = 16,

    /// <summary>Per key and horizon combination of the other models, weighted by their recent squared error.</summary>
    Combined = 32,

    /// <summary>Every model.</summary>
    All = Persistence | SeasonalNaive | HistoricalAverage | HoltWinters | Autoregressive | Combined,
}
