using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>Deterministic synthetic sensor data for detector tests: no file from ../shared is read.</summary>
internal static class SyntheticSeries
{
    public const long Step = 5 * EventTime.MicrosPerMinute;

    /// <summary>2024-01-01 00:00 UTC, a Monday.</summary>
    public static readonly long Start = EventTime.FromDateTimeOffset(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public static long[] Times(int n)
    {
        var t = new long[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = Start + (i * Step);
        }

        return t;
    }

    /// <summary>Traffic-like speed every 5 minutes: free flow ~60 with morning and evening dips on weekdays, Gaussian noise.</summary>
    public static double[] Seasonal(int n, int seed, double noise = 1.5)
    {
        var random = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double hour = (i * 5.0 / 60.0) % 24.0;
            int day = (int)(i * 5.0 / 60.0 / 24.0) % 7;
            double dip = day < 5 ? (18 * Bump(hour, 8, 1.2)) + (22 * Bump(hour, 17.5, 1.5)) : 6 * Bump(hour, 14, 3);
            v[i] = 60 - dip + (noise * Gaussian(random));
        }

        return v;
    }

    /// <summary>Rows mixing every kind of awkward input: NaN, infinities, constants, huge and tiny magnitudes, spikes.</summary>
    public static double[] Nasty(int n, int seed)
    {
        var random = new Random(seed);
        var v = new double[n];
        int i = 0;
        while (i < n)
        {
            int run = random.Next(1, 40);
            int kind = random.Next(9);
            double level = kind switch
            {
                0 => 0,
                1 => 1e300,
                2 => -1e300,
                3 => 1e-300,
                _ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 12)),
            };
            for (int j = 0; j < run && i < n; j++, i++)
            {
                v[i] = kind switch
                {
                    5 => double.NaN,
                    6 => random.Next(3) switch { 0 => double.PositiveInfinity, 1 => double.NegativeInfinity, _ => double.NaN },
                    7 => level + (random.NextDouble() * Math.Abs(level)),
                    8 => random.Next(10) == 0 ? level * 1e6 : level,
                    _ => level,
                };
            }
        }

        return v;
    }

    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double Bump(double hour, double centre, double width)
    {
        double d = (hour - centre) / width;
        return Math.Exp(-0.5 * d * d);
    }
}
