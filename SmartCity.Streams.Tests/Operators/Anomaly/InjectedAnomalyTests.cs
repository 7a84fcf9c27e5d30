using SmartCity.Streams.Operators.Anomaly;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>
/// Three weeks of synthetic 5-minute traffic speed (weekday rush-hour dips, quieter weekends, noise sigma 1.5 mph);
/// anomalies are injected on day 16 (a Wednesday), after the weekly profile has been learnt. Documented delays:
/// spikes, level shifts and seasonal breaks of 10 sigma or more score above the default event threshold (0.65)
/// within 3 readings (15 minutes); in practice on the first reading.
/// </summary>
public class InjectedAnomalyTests
{
    private const double EventThreshold = 0.65;
    private const int Days = 21;
    private const int PerDay = 288;
    private const int MaxDelay = 3;
    private static readonly int[] Seeds = [1, 2, 3, 4, 5];

    [Fact]
    public void Clean_seasonal_data_stays_below_the_event_threshold_for_a_week_after_warm_up()
    {
        foreach (int seed in Seeds)
        {
            double[] scores = Run(new EnsembleDetector(), SyntheticSeries.Seasonal(Days * PerDay, seed));
            double max = scores.Skip(14 * PerDay).Max();
            Assert.True(max < EventThreshold, $"seed {seed}: clean week 3 reached {max}");
        }
    }

    [Fact]
    public void A_spike_is_detected_on_the_reading()
    {
        foreach (int seed in Seeds)
        {
            double[] values = SyntheticSeries.Seasonal(Days * PerDay, seed);
            int at = (16 * PerDay) + 120;
            values[at] -= 25;
            AssertDetected(Run(new EnsembleDetector(), values), at, 0, $"spike, seed {seed}");
        }
    }

    [Theory]
    [InlineData(15)]
    [InlineData(25)]
    [InlineData(35)]
    public void A_lasting_level_shift_is_detected_within_three_readings(double drop)
    {
        foreach (int seed in Seeds)
        {
            double[] values = SyntheticSeries.Seasonal(Days * PerDay, seed);
            int at = (16 * PerDay) + 120;
            for (int i = at; i < values.Length; i++)
            {
                values[i] -= drop;
            }

            AssertDetected(Run(new EnsembleDetector(), values), at, MaxDelay, $"shift {drop}, seed {seed}");
            AssertDetected(Run(new LevelShiftDetector(), values), at, MaxDelay, $"CUSUM shift {drop}, seed {seed}");
        }
    }

    [Fact]
    public void A_rush_hour_dip_at_three_in_the_morning_is_detected_as_a_seasonal_break()
    {
        foreach (int seed in Seeds)
        {
            double[] values = SyntheticSeries.Seasonal(Days * PerDay, seed);
            int at = (16 * PerDay) + 36;
            for (int i = at; i < at + 12; i++)
            {
                values[i] -= 18;
            }

            // The values themselves are ordinary for this sensor (it reads 42 mph every weekday at 8:00): only the time is wrong.
            AssertDetected(Run(new EnsembleDetector(), values), at, MaxDelay, $"seasonal break, seed {seed}");
            AssertDetected(Run(new SeasonalBaselineDetector(), values), at, MaxDelay, $"seasonal-only break, seed {seed}");
        }
    }

    [Fact]
    public void One_incident_passes_the_threshold_once_thanks_to_the_cooldown()
    {
        double[] values = SyntheticSeries.Seasonal(Days * PerDay, 3);
        int at = (16 * PerDay) + 120;
        for (int i = at; i < at + 24; i++)
        {
            values[i] -= 25;
        }

        double[] scores = Run(new EnsembleDetector(), values);
        int crossings = scores.Skip(at - 1).Take(30).Zip(scores.Skip(at).Take(30)).Count(p => p.First < EventThreshold && p.Second >= EventThreshold);
        Assert.Equal(1, crossings);
    }

    [Fact]
    public void Missing_values_score_zero_and_leave_the_state_unchanged()
    {
        double[] values = SyntheticSeries.Seasonal(3 * PerDay, 9);
        double[] withGaps = (double[])values.Clone();
        double[] reference = Run(new EnsembleDetector(), values);
        var detector = new EnsembleDetector();
        long[] times = SyntheticSeries.Times(values.Length);
        var scores = new double[values.Length];
        var one = new double[1];
        for (int i = 0; i < values.Length; i++)
        {
            if (i % 50 == 7)
            {
                detector.Score([0], [times[i]], [double.NaN], one);
                Assert.Equal(0, one[0]);
            }

            detector.Score([0], times.AsSpan(i, 1), withGaps.AsSpan(i, 1), scores.AsSpan(i, 1));
        }

        Assert.Equal(reference, scores);
    }

    private static double[] Run(AnomalyDetector detector, double[] values)
    {
        long[] times = SyntheticSeries.Times(values.Length);
        var keys = new int[values.Length];
        var scores = new double[values.Length];
        detector.Score(keys, times, values, scores);
        return scores;
    }

    private static void AssertDetected(double[] scores, int at, int maxDelay, string what)
    {
        for (int i = at; i <= at + maxDelay; i++)
        {
            if (scores[i] >= EventThreshold)
            {
                return;
            }
        }

        Assert.Fail($"{what}: not detected within {maxDelay} readings (scores {string.Join(", ", scores.Skip(at).Take(maxDelay + 1).Select(s => s.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}).");
    }
}
