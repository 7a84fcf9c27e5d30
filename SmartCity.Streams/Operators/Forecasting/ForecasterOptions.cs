using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Options of an <see cref="OnlineForecaster"/>. Every default is derived from <see cref="Step"/> (a season is one day
/// of steps, a week seven of them), so the same options serve any data set without per-data-set tuning.
/// </summary>
public sealed class ForecasterOptions
{
    /// <summary>Resampling step: readings are averaged into steps of this length. Default 5 minutes.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Number of steps ahead forecast at every step (h = 1..Horizon). Default 12.</summary>
    public int Horizon { get; init; } = 12;

    /// <summary>Models to run. Default <see cref="ForecastModels.All"/>.</summary>
    public ForecastModels Models { get; init; } = ForecastModels.All;

    /// <summary>Optional road graph whose neighbours' recent residuals feed the autoregressive model.</summary>
    public RoadGraph? Graph { get; init; }

    /// <summary>Number of own lags of the autoregressive model. Default 6.</summary>
    public int AutoregressiveOrder { get; init; } = 6;

    /// <summary>Number of neighbour lags of the autoregressive model when a graph is supplied. Default 2.</summary>
    public int NeighbourLags { get; init; } = 2;

    /// <summary>Forgetting factor of the recursive least squares fit, in (0.9, 1]. Default 0.999.</summary>
    public double ForgettingFactor { get; init; } = 0.999;

    /// <summary>
    /// Holt-Winters trend damping in (0, 1]. Default 0.9: a trend fades within a few steps, as congestion and demand swings
    /// revert; 1 extrapolates a trend linearly.
    /// </summary>
    public double TrendDamping { get; init; } = 0.9;

    /// <summary>Central coverage of the prediction interval, in (0, 1). Default 0.9 (5 % and 95 % residual quantiles).</summary>
    public double IntervalCoverage { get; init; } = 0.9;

    /// <summary>Smoothing factor of the recent squared error that weights the combined forecast, in (0, 1]. Default 0.05.</summary>
    public double ErrorSmoothing { get; init; } = 0.005;

    /// <summary>
    /// How many steps past the last closed step readings may run ahead of the step clock before it closes steps without
    /// waiting for the watermark. The open-step buffer grows to this size only when the data needs it. Default 4096.
    /// </summary>
    public int MaxOpenSteps { get; init; } = 4096;

    /// <summary>Keys allocated up front; the state grows on demand beyond it. Default 16.</summary>
    public int InitialKeyCapacity { get; init; } = 16;

    internal long StepMicros => Step.Ticks / TimeSpan.TicksPerMicrosecond;

    internal void Validate()
    {
        if (Step.Ticks < TimeSpan.TicksPerMicrosecond || Step > TimeSpan.FromDays(7))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(Step), "Step must lie between 1 microsecond and 7 days.");
        }

        if (Horizon is < 1 or > 4096)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(Horizon), "Horizon must lie in 1..4096.");
        }

        if ((Models & ForecastModels.All) == ForecastModels.None || (Models & ~ForecastModels.All) != 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(Models), "Models must name at least one known model.");
        }

        if (AutoregressiveOrder is < 1 or > 64)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(AutoregressiveOrder), "AutoregressiveOrder must lie in 1..64.");
        }

        if (NeighbourLags is < 0 or > 16)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(NeighbourLags), "NeighbourLags must lie in 0..16.");
        }

        if (!(ForgettingFactor > 0.9 && ForgettingFactor <= 1.0))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(ForgettingFactor), "ForgettingFactor must lie in (0.9, 1].");
        }

        if (!(TrendDamping > 0 && TrendDamping <= 1))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(TrendDamping), "TrendDamping must lie in (0, 1].");
        }

        if (!(IntervalCoverage > 0 && IntervalCoverage < 1))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(IntervalCoverage), "IntervalCoverage must lie in (0, 1).");
        }

        if (!(ErrorSmoothing > 0 && ErrorSmoothing <= 1))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(ErrorSmoothing), "ErrorSmoothing must lie in (0, 1].");
        }

        if (MaxOpenSteps is < 1 or > 1 << 16)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(MaxOpenSteps), "MaxOpenSteps must lie in 1..65536.");
        }

        if (InitialKeyCapacity is < 1 or > 1 << 24)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(InitialKeyCapacity), "InitialKeyCapacity must lie in 1..16777216.");
        }
    }
}
