using SmartCity.Streams.Operators.Forecasting;
using SmartCity.Streams.Testing;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

[Collection(AllocationMeasuringCollection.Name)]
public sealed class ForecasterAllocationTests
{
    [Fact]
    public void Steady_state_batches_allocate_nothing()
    {
        const int Keys = 200;
        long step = TimeSpan.FromMinutes(5).Ticks / TimeSpan.TicksPerMicrosecond;
        var from = new List<int>();
        var to = new List<int>();
        for (int k = 1; k < Keys; k++)
        {
            from.Add(k - 1);
            to.Add(k);
            from.Add(k);
            to.Add(k - 1);
        }

        var forecaster = new OnlineForecaster(new ForecasterOptions
        {
            Horizon = 12,
            InitialKeyCapacity = Keys,
            Graph = RoadGraph.FromEdges(Keys, from.ToArray(), to.ToArray(), Enumerable.Repeat(1.0, from.Count).ToArray()),
        });
        var keys = new int[Keys];
        var times = new long[Keys];
        var values = new double[Keys];
        var random = new Random(3);
        void Batch(int t)
        {
            for (int k = 0; k < Keys; k++)
            {
                keys[k] = k;
                times[k] = t * step;
                values[k] = k % 17 == 0 && t % 5 == 0 ? double.NaN : 50 + (10 * Math.Sin(t / 40.0)) + random.NextDouble();
            }

            forecaster.Update(keys, times, values);
            while (forecaster.TryAdvance((t + 1) * step))
            {
            }
        }

        Assert.Equal(0, AllocatedInSteadyState(Batch, warmUpSteps: 3 * 288));
    }

    [Theory]
    [InlineData(ForecastModels.SeasonalNaive)]
    [InlineData(ForecastModels.HistoricalAverage)]
    [InlineData(ForecastModels.SeasonalNaive | ForecastModels.HistoricalAverage | ForecastModels.Combined)]
    public void Seasonal_baselines_step_and_read_forecasts_and_intervals_without_allocating(ForecastModels models)
    {
        const int Keys = 203;
        long step = TimeSpan.FromMinutes(5).Ticks / TimeSpan.TicksPerMicrosecond;
        var forecaster = new OnlineForecaster(new ForecasterOptions { Horizon = 12, Models = models, InitialKeyCapacity = Keys });
        var keys = new int[Keys];
        var times = new long[Keys];
        var values = new double[Keys];
        double sink = 0;
        void Batch(int t)
        {
            for (int k = 0; k < Keys; k++)
            {
                keys[k] = k;
                times[k] = t * step;
                values[k] = k % 17 == 0 && t % 5 == 0 ? double.NaN : 50 + (10 * Math.Sin((t + k) / 40.0));
            }

            forecaster.Update(keys, times, values);
            while (forecaster.TryAdvance((t + 1) * step))
            {
                int m = forecaster.ModelCount - 1;
                sink += forecaster.Forecasts(m)[0] + forecaster.Lower(m)[^1] + forecaster.Upper(m)[^1];
            }
        }

        Assert.Equal(0, AllocatedInSteadyState(Batch, warmUpSteps: 2 * 288));
        Assert.True(double.IsFinite(sink));
    }

    /// <summary>
    /// Runs <paramref name="warmUpSteps"/> steps (state grows, the JIT settles), then returns the fewest bytes a stretch of
    /// 100 more steps allocates on this thread (up to three stretches).
    /// </summary>
    private static long AllocatedInSteadyState(Action<int> batch, int warmUpSteps)
    {
        int t = 0;
        for (; t < warmUpSteps; t++)
        {
            batch(t);
        }

        return SteadyStateAllocation.Minimum(3, _ =>
        {
            for (int end = t + 100; t < end; t++)
            {
                batch(t);
            }
        });
    }
}
