using System.Runtime.Intrinsics;
using SmartCity.Streams.Operators.Anomaly;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>The vectorised calibration passes compute the same values as the scalar definitions (to an ulp or so).</summary>
public class VectorCalibrationTests
{
    [Fact]
    public void The_vector_log_matches_Math_Log_to_an_ulp()
    {
        var random = new Random(7);
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            // Log-uniform over the domain the tail uses, (1e-160, 1], and the knee's [1, 1e300).
            double x = Math.Pow(10, (random.NextDouble() * 460) - 160);
            double expected = Math.Log(x);
            double actual = TailProbability.LogPositive(Vector256.Create(x)).GetElement(0);
            Assert.Equal(actual, TailProbability.LogPositive(Vector512.Create(x)).GetElement(7));
            double error = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), double.Epsilon);
            worst = Math.Max(worst, expected == 0 ? Math.Abs(actual) : error);
        }

        Assert.True(worst <= 3e-16, $"worst relative error {worst:G3}");
        Assert.Equal(0.0, TailProbability.LogPositive(Vector256<double>.One).GetElement(0));
        Assert.Equal(Math.Log(2), TailProbability.LogPositive(Vector256.Create(2.0)).GetElement(0), 15);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(1001)]
    public void Vector_tails_and_scores_match_the_scalar_definitions(int n)
    {
        var random = new Random(n);
        var deviation = new double[n];
        var variance = new double[n];
        var mean = new double[n];
        for (int i = 0; i < n; i++)
        {
            deviation[i] = (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-3, 4));
            variance[i] = random.NextDouble() * random.NextDouble();
            mean[i] = random.NextDouble();
        }

        double[] tails = (double[])deviation.Clone();
        double[] scores = (double[])deviation.Clone();
        // The variance and mean spans are scratch that the tails overwrite.
        TailProbability.PositiveTails(tails, (double[])variance.Clone(), (double[])mean.Clone(), toScores: false);
        TailProbability.PositiveTails(scores, (double[])variance.Clone(), (double[])mean.Clone(), toScores: true);
        for (int i = 0; i < n; i++)
        {
            double z = deviation[i] / (Math.Sqrt(variance[i]) + (1e-3 * Math.Abs(mean[i])) + 1e-9);
            double tail = z <= 0 ? 0 : TailProbability.NegLog10UpperTail(z);
            Assert.Equal(tail, tails[i], Math.Max(1e-13, tail * 1e-14));
            Assert.Equal(TailProbability.ToScore(tail), scores[i], 1e-14);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_row_computes_the_same_bits_whichever_vector_width_or_padding_processes_it(bool toScores)
    {
        // With AVX-512 the first rows of a batch go eight at a time and the last ones four at a time or padded; the
        // scores must not depend on where a row falls, so the widths compute the same operations lane for lane.
        const int n = 67;
        var random = new Random(11);
        var deviation = new double[n];
        var variance = new double[n];
        var mean = new double[n];
        for (int i = 0; i < n; i++)
        {
            deviation[i] = (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-3, 4));
            variance[i] = random.NextDouble() * random.NextDouble() * Math.Pow(10, random.Next(-6, 3));
            mean[i] = random.NextDouble() * 100;
        }

        double[] bounded = (double[])deviation.Clone();
        TailProbability.Bound(bounded, variance, mean, 20);
        double[] tails = (double[])deviation.Clone();
        TailProbability.PositiveTails(tails, (double[])variance.Clone(), (double[])mean.Clone(), toScores);
        for (int i = 0; i < n; i++)
        {
            double[] one = [deviation[i]];
            TailProbability.Bound(one, variance.AsSpan(i, 1), mean.AsSpan(i, 1), 20);
            Assert.Equal(BitConverter.DoubleToInt64Bits(bounded[i]), BitConverter.DoubleToInt64Bits(one[0]));
            one[0] = deviation[i];
            TailProbability.PositiveTails(one, [variance[i]], [mean[i]], toScores);
            Assert.Equal(BitConverter.DoubleToInt64Bits(tails[i]), BitConverter.DoubleToInt64Bits(one[0]));
        }
    }

    [Fact]
    public void Vector_scores_compress_beyond_the_knee_like_the_scalar_mapping()
    {
        double[] tails = [0, -1, 3, 19.99, 20, 25, 1e3, 1e300, double.NaN];
        double[] scores = (double[])tails.Clone();
        TailProbability.ToScores(scores, 0);
        for (int i = 0; i < tails.Length; i++)
        {
            Assert.Equal(TailProbability.ToScore(tails[i]), scores[i], 1e-14);
        }
    }

    [Fact]
    public void Bounding_keeps_missing_rows_missing_and_caps_huge_surprise()
    {
        double[] values = [double.NaN, 0, 20, double.PositiveInfinity, 1e200];
        TailProbability.Bound(values, default, default, 20);
        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(0.0, values[1]);
        Assert.Equal(0.5, values[2]);
        Assert.Equal(1e100 / (1e100 + 20), values[3]);
        Assert.Equal(1e100 / (1e100 + 20), values[4]);
    }

    [Fact]
    public void Max_key_is_found_and_negative_keys_are_rejected_at_any_position()
    {
        int[] keys = Enumerable.Range(0, 37).Select(i => (i * 7) % 37).ToArray();
        Assert.Equal(36, StateArrays.MaxKey(keys));
        for (int at = 0; at < keys.Length; at += 5)
        {
            int[] bad = (int[])keys.Clone();
            bad[at] = -1;
            Assert.Throws<ArgumentOutOfRangeException>(() => StateArrays.MaxKey(bad));
        }
    }
}
