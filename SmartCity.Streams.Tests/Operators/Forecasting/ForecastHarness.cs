using SmartCity.Streams.Operators.Forecasting;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

/// <summary>Feeds synthetic series to a forecaster one step at a time and records what it issued.</summary>
internal static class ForecastHarness
{
    public static readonly long Hour = TimeSpan.FromHours(1).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// Feeds series[k][t] at t * step (NaN = no reading) and returns issued[t][model][k * H + h - 1], the forecasts issued
    /// after step t closed.
    /// </summary>
    public static double[][][] Replay(OnlineForecaster forecaster, double[][] series, long stepMicros)
    {
        int keys = series.Length;
        int steps = series[0].Length;
        var issued = new double[steps][][];
        var k = new int[keys];
        var times = new long[keys];
        var values = new double[keys];
        for (int t = 0; t < steps; t++)
        {
            int n = 0;
            for (int key = 0; key < keys; key++)
            {
                k[n] = key;
                times[n] = t * stepMicros;
                values[n] = series[key][t];
                n++;
            }

            forecaster.Update(k.AsSpan(0, n), times.AsSpan(0, n), values.AsSpan(0, n));
            while (forecaster.TryAdvance((t + 1) * stepMicros))
            {
            }

            issued[t] = new double[forecaster.ModelCount][];
            for (int m = 0; m < forecaster.ModelCount; m++)
            {
                issued[t][m] = forecaster.Forecasts(m).ToArray();
            }
        }

        return issued;
    }

    /// <summary>Root mean squared error of model <paramref name="model"/> at horizon <paramref name="h"/> for targets in [from, to).</summary>
    public static double Rmse(double[][][] issued, double[] truth, int model, int key, int horizon, int h, int from, int to)
    {
        double sum = 0;
        int n = 0;
        for (int target = from; target < to; target++)
        {
            double f = issued[target - h][model][(key * horizon) + h - 1];
            double e = truth[target] - f;
            sum += e * e;
            n++;
        }

        return Math.Sqrt(sum / n);
    }

    public static byte[] Snapshot(OnlineForecaster forecaster)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            forecaster.WriteState(writer);
        }

        return stream.ToArray();
    }

    public static void Restore(OnlineForecaster forecaster, byte[] state)
    {
        using var stream = new MemoryStream(state);
        using var reader = new BinaryReader(stream);
        forecaster.ReadState(reader);
    }
}
