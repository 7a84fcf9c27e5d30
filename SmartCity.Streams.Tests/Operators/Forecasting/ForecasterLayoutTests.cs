using SmartCity.Streams.Operators.Forecasting;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

/// <summary>
/// The models keep state slot-major with the key capacity as row length and process several keys per vector: neither
/// the capacity, nor when a key arrived, nor whether it fell into a vector or the scalar tail may change a forecast.
/// </summary>
public sealed class ForecasterLayoutTests
{
    private const int Horizon = 12;

    /// <summary>Readings with a daily shape, per key level and phase, noise, gaps; key k starts at step <paramref name="arrivalStride"/> * k.</summary>
    private static double[][] Series(int keys, int steps, int stepsPerDay, int arrivalStride)
    {
        var random = new Random(17);
        var series = new double[keys][];
        for (int k = 0; k < keys; k++)
        {
            series[k] = new double[steps];
            for (int t = 0; t < steps; t++)
            {
                bool missing = t < arrivalStride * k || random.NextDouble() < 0.03;
                series[k][t] = missing
                    ? double.NaN
                    : 40 + (3 * k) + (10 * Math.Sin((2 * Math.PI * t / stepsPerDay) + k)) + (2 * random.NextDouble());
            }
        }

        return series;
    }

    private static OnlineForecaster Create(int minutes, int capacity, RoadGraph? graph = null) =>
        new(new ForecasterOptions { Step = TimeSpan.FromMinutes(minutes), Horizon = Horizon, InitialKeyCapacity = capacity, Graph = graph });

    private static long StepMicros(int minutes) => TimeSpan.FromMinutes(minutes).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>Feeds steps [from, to) and returns every model's forecasts, lower and upper bounds after each step.</summary>
    private static List<double[]> Feed(OnlineForecaster forecaster, double[][] series, long step, int from, int to)
    {
        var issued = new List<double[]>();
        var keys = new int[series.Length];
        var times = new long[series.Length];
        var values = new double[series.Length];
        for (int t = from; t < to; t++)
        {
            for (int k = 0; k < series.Length; k++)
            {
                keys[k] = k;
                times[k] = t * step;
                values[k] = series[k][t];
            }

            forecaster.Update(keys, times, values);
            while (forecaster.TryAdvance((t + 1) * step))
            {
                var all = new List<double>();
                for (int m = 0; m < forecaster.ModelCount; m++)
                {
                    all.AddRange(forecaster.Forecasts(m).ToArray());
                    all.AddRange(forecaster.Lower(m).ToArray());
                    all.AddRange(forecaster.Upper(m).ToArray());
                }

                issued.Add([.. all]);
            }
        }

        return issued;
    }

    private static void AssertSame(List<double[]> expected, List<double[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"issue {i} differs");
        }
    }

    [Theory]
    [InlineData(5, 1500, false)]
    [InlineData(5, 1500, true)]
    [InlineData(60, 500, false)]
    public void Keys_arriving_after_the_state_grew_forecast_as_with_room_from_the_start(int minutes, int steps, bool graph)
    {
        // Capacity 1 doubles five times while keys keep arriving, each growth re-laying out state that already holds
        // history of the earlier keys; capacity 64 never grows.
        const int keys = 21;
        int perDay = 24 * 60 / minutes;
        double[][] series = Series(keys, steps, perDay, arrivalStride: 9);
        RoadGraph? roads = graph ? Ring(keys) : null;
        var growing = Create(minutes, 1, roads);
        var roomy = Create(minutes, 64, roads);
        long step = StepMicros(minutes);
        AssertSame(Feed(roomy, series, step, 0, steps), Feed(growing, series, step, 0, steps));
        Assert.Equal(ForecastHarness.Snapshot(roomy), ForecastHarness.Snapshot(growing));
    }

    [Fact]
    public void A_snapshot_restores_into_a_forecaster_of_another_capacity()
    {
        const int keys = 13;
        const int steps = 900;
        double[][] series = Series(keys, steps, 288, arrivalStride: 5);
        long step = StepMicros(5);
        var straight = Create(5, 16);
        List<double[]> expected = Feed(straight, series, step, 0, steps);

        var first = Create(5, 2);
        List<double[]> actual = Feed(first, series, step, 0, 400);
        var resumed = Create(5, 128);
        ForecastHarness.Restore(resumed, ForecastHarness.Snapshot(first));
        actual.AddRange(Feed(resumed, series, step, 400, steps));
        AssertSame(expected, actual);
        Assert.Equal(ForecastHarness.Snapshot(straight), ForecastHarness.Snapshot(resumed));
    }

    [Theory]
    [InlineData(5, (2 * 2016) + 300)]
    [InlineData(1, 3000)]
    public void Keys_in_vectors_forecast_like_keys_alone(int minutes, int steps)
    {
        // 11 keys in one lane run 8 of them through the vector paths and 3 through the scalar tail; one key per lane runs
        // only the scalar tail. With 5-minute steps over two weeks and a bit, so the week slots take over from the
        // day-window fallback; with 1-minute steps five steps share a slot.
        const int keys = 11;
        double[][] series = Series(keys, steps, 24 * 60 / minutes, arrivalStride: 0);
        long step = StepMicros(minutes);
        var together = Create(minutes, 16);
        List<double[]> all = Feed(together, series, step, 0, steps);
        int models = together.ModelCount;
        for (int k = 0; k < keys; k++)
        {
            var alone = Create(minutes, 1);
            List<double[]> own = Feed(alone, [series[k]], step, 0, steps);
            Assert.Equal(all.Count, own.Count);
            for (int i = 0; i < all.Count; i++)
            {
                // Each issue holds, per model, forecasts, lower and upper bounds of every key: [model][kind][key][h].
                for (int block = 0; block < 3 * models; block++)
                {
                    var mine = own[i].AsSpan(block * Horizon, Horizon);
                    var shared = all[i].AsSpan(((block * keys) + k) * Horizon, Horizon);
                    Assert.True(mine.SequenceEqual(shared), $"key {k}, issue {i}, block {block} differs");
                }
            }
        }
    }

    private static RoadGraph Ring(int keys)
    {
        var from = new int[2 * keys];
        var to = new int[2 * keys];
        var weights = new double[2 * keys];
        for (int k = 0; k < keys; k++)
        {
            from[2 * k] = k;
            to[2 * k] = (k + 1) % keys;
            from[(2 * k) + 1] = (k + 1) % keys;
            to[(2 * k) + 1] = k;
            weights[2 * k] = 1;
            weights[(2 * k) + 1] = 0.5;
        }

        return RoadGraph.FromEdges(keys, from, to, weights);
    }
}
