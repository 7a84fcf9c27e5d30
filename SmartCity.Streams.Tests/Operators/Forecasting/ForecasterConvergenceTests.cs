using SmartCity.Streams.Operators.Forecasting;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

/// <summary>Synthetic series whose ideal forecast is known: every model that should learn it converges within a stated tolerance.</summary>
public sealed class ForecasterConvergenceTests
{
    private const int Horizon = 6;

    [Theory]
    [InlineData(ForecastModels.SeasonalNaive)]
    [InlineData(ForecastModels.HistoricalAverage)]
    [InlineData(ForecastModels.HoltWinters)]
    [InlineData(ForecastModels.Autoregressive)]
    [InlineData(ForecastModels.Combined)]
    public void Pure_daily_seasonality_is_forecast_within_one_percent_of_its_amplitude(ForecastModels model)
    {
        // Hourly steps: the daily season is 24 steps. 21 days of warm-up, 7 days scored.
        int steps = 24 * 28;
        double[] y = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            y[t] = 50 + (10 * Math.Sin(2 * Math.PI * t / 24)) + (4 * Math.Cos(2 * Math.PI * t / 8));
        }

        var forecaster = new OnlineForecaster(new ForecasterOptions { Step = TimeSpan.FromHours(1), Horizon = Horizon, Models = model });
        double[][][] issued = ForecastHarness.Replay(forecaster, [y], ForecastHarness.Hour);
        int m = forecaster.ModelCount - 1;
        for (int h = 1; h <= Horizon; h++)
        {
            double rmse = ForecastHarness.Rmse(issued, y, m, 0, Horizon, h, 24 * 21, steps);
            Assert.True(rmse < 0.1, $"{model} h={h}: RMSE {rmse} on a season of amplitude 10");
        }
    }

    [Fact]
    public void Undamped_Holt_Winters_converges_on_a_linear_trend()
    {
        // 1 unit per hourly step for 60 days; the last week is scored. With TrendDamping = 1 the model is exact for a
        // linear trend, so the error must shrink to a small share of the change over the horizon.
        int steps = 24 * 60;
        double[] y = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            y[t] = 100 + t;
        }

        var forecaster = new OnlineForecaster(new ForecasterOptions { Step = TimeSpan.FromHours(1), Horizon = Horizon, Models = ForecastModels.HoltWinters, TrendDamping = 1 });
        double[][][] issued = ForecastHarness.Replay(forecaster, [y], ForecastHarness.Hour);
        for (int h = 1; h <= Horizon; h++)
        {
            double rmse = ForecastHarness.Rmse(issued, y, 0, 0, Horizon, h, steps - (24 * 7), steps);
            Assert.True(rmse < 0.02 * h, $"h={h}: RMSE {rmse} for a change of {h}");
        }
    }

    [Theory]
    [InlineData(ForecastModels.HoltWinters, 4.0)]
    [InlineData(ForecastModels.HistoricalAverage, 0.1)]
    [InlineData(ForecastModels.Autoregressive, 0.1)]
    public void A_weekly_pattern_is_learned_once_weeks_of_data_exist(ForecastModels model, double tolerance)
    {
        // Daily shape plus weekends 20 units lower, hourly, 20 weeks; the last week is scored. A daily-only model would
        // miss every weekday/weekend switch by 20. Holt-Winters' weekly index learns once per week at rate 0.2 while
        // its daily index keeps pulling towards the latest day, so it settles slowly: within 20 % of the effect.
        int steps = 24 * 140;
        double[] y = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            bool weekend = (t / 24 % 7) >= 5;
            y[t] = 50 + (10 * Math.Sin(2 * Math.PI * t / 24)) - (weekend ? 20 : 0);
        }

        var forecaster = new OnlineForecaster(new ForecasterOptions { Step = TimeSpan.FromHours(1), Horizon = Horizon, Models = model });
        double[][][] issued = ForecastHarness.Replay(forecaster, [y], ForecastHarness.Hour);
        for (int h = 1; h <= Horizon; h++)
        {
            double rmse = ForecastHarness.Rmse(issued, y, 0, 0, Horizon, h, steps - (24 * 7), steps);
            Assert.True(rmse < tolerance, $"{model} h={h}: RMSE {rmse}");
        }
    }

    [Fact]
    public void Autoregressive_process_is_forecast_almost_as_well_as_the_true_model()
    {
        // y[t] = 50 + 0.8 (y[t-1] - 50) + N(0, 1): the best h-step forecast is 50 + 0.8^h (y[t] - 50).
        const double Phi = 0.8;
        int steps = 8000;
        var random = new Random(7);
        double[] y = new double[steps];
        y[0] = 50;
        for (int t = 1; t < steps; t++)
        {
            y[t] = 50 + (Phi * (y[t - 1] - 50)) + Gaussian(random);
        }

        var forecaster = new OnlineForecaster(new ForecasterOptions { Step = TimeSpan.FromHours(1), Horizon = Horizon, Models = ForecastModels.Autoregressive });
        double[][][] issued = ForecastHarness.Replay(forecaster, [y], ForecastHarness.Hour);
        int from = steps - 3000;
        foreach (int h in new[] { 1, 3, 6 })
        {
            double model = ForecastHarness.Rmse(issued, y, 0, 0, Horizon, h, from, steps);
            double sum = 0;
            for (int target = from; target < steps; target++)
            {
                double e = y[target] - (50 + (Math.Pow(Phi, h) * (y[target - h] - 50)));
                sum += e * e;
            }

            double oracle = Math.Sqrt(sum / (steps - from));
            Assert.True(model < 1.1 * oracle, $"h={h}: RMSE {model} against the true model's {oracle}");
        }
    }

    [Fact]
    public void Intervals_cover_about_the_requested_share()
    {
        int steps = 6000;
        var random = new Random(11);
        double[] y = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            y[t] = 20 + (5 * Math.Sin(2 * Math.PI * t / 24)) + Gaussian(random);
        }

        var forecaster = new OnlineForecaster(new ForecasterOptions { Step = TimeSpan.FromHours(1), Horizon = 3, Models = ForecastModels.Autoregressive, IntervalCoverage = 0.9 });
        int covered = 0;
        int total = 0;
        var lower = new double[steps];
        var upper = new double[steps];
        var k = new int[1];
        var time = new long[1];
        var value = new double[1];
        for (int t = 0; t < steps; t++)
        {
            if (t >= 3000)
            {
                // The interval for y[t] at horizon 3 was issued after step t-3; it is kept from that time.
                total++;
                covered += y[t] >= lower[t - 3] && y[t] <= upper[t - 3] ? 1 : 0;
            }

            time[0] = t * ForecastHarness.Hour;
            value[0] = y[t];
            forecaster.Update(k, time, value);
            forecaster.TryAdvance((t + 1) * ForecastHarness.Hour);
            lower[t] = forecaster.Lower(0)[2];
            upper[t] = forecaster.Upper(0)[2];
        }

        double share = covered / (double)total;
        Assert.InRange(share, 0.85, 0.95);
    }

    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
