using SmartCity.Streams.Operators.Anomaly;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>Evidence normalisation discounts keys whose routine bursts look astronomically unlikely, leaves calibrated
/// keys alone, and still lets a burst far beyond the routine ones through.</summary>
public class EvidenceNormaliserTests
{
    private const int Rows = 6000;
    private const int Block = 250;
    private const int Last = Rows - 10;

    /// <summary>Level 10 with uniform noise ±0.5; with <paramref name="bursty"/>, bursts of heavy-tailed height (Pareto,
    /// index 1.2, from 3) every 20 to 60 rows; the row <see cref="Last"/> gets +<paramref name="lastHeight"/>.</summary>
    private static double[] Series(bool bursty, double lastHeight)
    {
        var random = new Random(11);
        var v = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            v[i] = 10 + (0.5 * ((random.NextDouble() * 2) - 1));
        }

        if (bursty)
        {
            for (int i = 100; i < Last - 1; i += random.Next(20, 61))
            {
                v[i] += Math.Min(3 * Math.Pow(1 - random.NextDouble(), -1 / 1.2), 500);
            }
        }

        v[Last] += lastHeight;
        return v;
    }

    private static CalibrationOptions Options(int block) => new() { CooldownRows = 0, RecurrenceCount = 0, EvidenceBlockRows = block };

    private static double[] Run(AnomalyDetector detector, double[] values)
    {
        var scores = new double[values.Length];
        detector.Score(new int[values.Length], SyntheticSeries.Times(values.Length), values, scores);
        return scores;
    }

    private static double[] Robust(double[] values, int block) => Run(new RobustZScoreDetector(calibration: Options(block)), values);

    [Fact]
    public void Routine_heavy_tailed_bursts_are_discounted()
    {
        double[] values = Series(bursty: true, lastHeight: 0);
        double[] plain = Robust(values, 0);
        double[] normalised = Robust(values, Block);
        int plainAlarms = 0;
        int normalisedAlarms = 0;
        for (int i = Rows / 2; i < Rows; i++)
        {
            plainAlarms += plain[i] >= 0.5 ? 1 : 0;
            normalisedAlarms += normalised[i] >= 0.5 ? 1 : 0;
            Assert.True(normalised[i] <= plain[i] + 1e-12, $"row {i}: normalised {normalised[i]} above plain {plain[i]}");
        }

        Assert.True(plainAlarms >= 20, $"the plain likelihood raised {plainAlarms} alarms on routine bursts");
        Assert.True(normalisedAlarms * 4 <= plainAlarms, $"normalised {normalisedAlarms} alarms against {plainAlarms}");
    }

    [Fact]
    public void A_calibrated_key_is_left_alone()
    {
        double[] values = Series(bursty: false, lastHeight: 0);
        double[] plain = Robust(values, 0);
        double[] normalised = Robust(values, Block);
        Assert.Equal(plain, normalised);
    }

    [Fact]
    public void A_burst_far_beyond_the_routine_ones_still_alarms()
    {
        double[] normalised = Robust(Series(bursty: true, lastHeight: 50_000), Block);
        Assert.True(normalised[Last] >= 0.5, $"a burst 100 times the largest routine one scored {normalised[Last]}");
    }

    [Fact]
    public void Rejects_a_block_too_short_to_have_a_typical_maximum()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RobustZScoreDetector(calibration: new CalibrationOptions { EvidenceBlockRows = 8 }));
    }
}
