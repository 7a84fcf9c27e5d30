using SmartCity.Streams.Operators.Forecasting;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

/// <summary>
/// Seasonal naive and historical average against a direct reference over days with gaps and a late key. H at most a day
/// runs the horizon-invariant path (forecasts by target, one residual state per key), H beyond a day the generic one;
/// both must forecast exactly what the definitions say.
/// </summary>
public sealed class SeasonalBaselineTests
{
    private const int Day = 24;
    private const int Week = 7 * Day;
    // Two blocks of four keys take the vectorised expansion, the ninth the scalar one.
    private const int Keys = 9;
    private const int Steps = 9 * Day;

    /// <summary>Hourly readings by key mod 3: complete; random gaps and hour 5 never observed; from step 30 (+ key) on.</summary>
    private static double[][] Series()
    {
        var random = new Random(11);
        var series = new double[Keys][];
        for (int k = 0; k < Keys; k++)
        {
            series[k] = new double[Steps];
            for (int t = 0; t < Steps; t++)
            {
                bool missing = (k % 3 == 1 && (random.NextDouble() < 0.2 || t % Day == 5)) || (k % 3 == 2 && t < 30 + k);
                series[k][t] = missing ? double.NaN : 40 + (10 * k) + (8 * Math.Sin(2 * Math.PI * t / Day)) + (3 * random.NextDouble());
            }
        }

        return series;
    }

    /// <summary>The value one day before the target at or before issue step t, else the last value, else 0.</summary>
    private static double SeasonalNaive(double[] y, int t, int target)
    {
        for (int s = t; s >= 0; s--)
        {
            if (s % Day == target % Day)
            {
                if (!double.IsNaN(y[s]))
                {
                    return y[s];
                }

                break;
            }
        }

        for (int s = t; s >= 0; s--)
        {
            if (!double.IsNaN(y[s]))
            {
                return y[s];
            }
        }

        return 0;
    }

    /// <summary>Mean of the values up to t at the target's hour of the week, else of the day, else of all, else 0.</summary>
    private static double HistoricalAverage(double[] y, int t, int target)
    {
        foreach (int period in new[] { Week, Day, 1 })
        {
            double sum = 0;
            int n = 0;
            for (int s = 0; s <= t; s++)
            {
                if (s % period == target % period && !double.IsNaN(y[s]))
                {
                    sum += y[s];
                    n++;
                }
            }

            if (n > 0)
            {
                return sum / n;
            }
        }

        return 0;
    }

    [Theory]
    [InlineData(ForecastModels.SeasonalNaive, 6)]
    [InlineData(ForecastModels.SeasonalNaive, Day)]
    [InlineData(ForecastModels.SeasonalNaive, Day + 6)]
    [InlineData(ForecastModels.HistoricalAverage, 6)]
    [InlineData(ForecastModels.HistoricalAverage, Day)]
    [InlineData(ForecastModels.HistoricalAverage, Day + 6)]
    public void Forecasts_match_the_definition_and_intervals_hold_them(ForecastModels model, int horizon)
    {
        double[][] series = Series();
        var forecaster = new OnlineForecaster(new ForecasterOptions { Step = TimeSpan.FromHours(1), Horizon = horizon, Models = model });
        var keys = new int[Keys];
        var times = new long[Keys];
        var values = new double[Keys];
        for (int t = 0; t < Steps; t++)
        {
            for (int k = 0; k < Keys; k++)
            {
                keys[k] = k;
                times[k] = t * ForecastHarness.Hour;
                values[k] = series[k][t];
            }

            forecaster.Update(keys, times, values);
            Assert.True(forecaster.TryAdvance((t + 1) * ForecastHarness.Hour));
            ReadOnlySpan<double> point = forecaster.Forecasts(0);
            ReadOnlySpan<double> lower = forecaster.Lower(0);
            ReadOnlySpan<double> upper = forecaster.Upper(0);
            for (int k = 0; k < forecaster.KeyCount; k++)
            {
                for (int h = 1; h <= horizon; h++)
                {
                    int i = (k * horizon) + h - 1;
                    double expected = model == ForecastModels.SeasonalNaive
                        ? SeasonalNaive(series[k], t, t + h)
                        : HistoricalAverage(series[k], t, t + h);
                    Assert.True(Math.Abs(point[i] - expected) <= 1e-9 * Math.Abs(expected), $"{model} H={horizon} step {t} key {k} h={h}: {point[i]} instead of {expected}");
                    Assert.True(double.IsFinite(lower[i]) && double.IsFinite(upper[i]) && lower[i] <= point[i] && point[i] <= upper[i], $"{model} step {t} key {k} h={h}: interval [{lower[i]}, {upper[i]}] around {point[i]}");
                }
            }
        }

        // Real residuals were scored: the last intervals have width.
        Assert.True(forecaster.Upper(0)[0] > forecaster.Lower(0)[0]);
    }

    [Theory]
    [InlineData(ForecastModels.SeasonalNaive)]
    [InlineData(ForecastModels.HistoricalAverage)]
    public void Invariant_baselines_share_one_interval_width_per_key(ForecastModels model)
    {
        double[][] series = Series();
        const int H = 6;
        var forecaster = new OnlineForecaster(new ForecasterOptions { Step = TimeSpan.FromHours(1), Horizon = H, Models = model });
        ForecastHarness.Replay(forecaster, series, ForecastHarness.Hour);
        ReadOnlySpan<double> point = forecaster.Forecasts(0);
        ReadOnlySpan<double> lower = forecaster.Lower(0);
        ReadOnlySpan<double> upper = forecaster.Upper(0);
        for (int k = 0; k < Keys; k++)
        {
            for (int h = 1; h < H; h++)
            {
                int i = (k * H) + h;
                Assert.Equal(point[k * H] - lower[k * H], point[i] - lower[i], 9);
                Assert.Equal(upper[k * H] - point[k * H], upper[i] - point[i], 9);
            }
        }
    }
}
