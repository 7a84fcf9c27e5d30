using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.Streams.Operators.Anomaly;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

public class CalibrationTests
{
    [Fact]
    public void The_gaussian_tail_matches_known_values()
    {
        Assert.Equal(-Math.Log10(0.5), TailProbability.NegLog10UpperTail(0), 6);
        Assert.Equal(-Math.Log10(0.02275), TailProbability.NegLog10UpperTail(2), 3);
        Assert.Equal(-Math.Log10(2.8665e-7), TailProbability.NegLog10UpperTail(5), 3);
        // Far in the tail the value stays finite and keeps growing instead of underflowing to infinity.
        Assert.True(TailProbability.NegLog10UpperTail(1e3) > TailProbability.NegLog10UpperTail(1e2));
        Assert.True(double.IsFinite(TailProbability.NegLog10UpperTail(double.MaxValue)));
    }

    [Property(MaxTest = 200)]
    public Property Scores_are_monotone_in_the_evidence_and_never_reach_one(NormalFloat a, NormalFloat b)
    {
        double x = Math.Abs(a.Get);
        double y = Math.Abs(b.Get);
        double sx = TailProbability.ToScore(x);
        double sy = TailProbability.ToScore(y);
        bool inRange = sx >= 0 && sx < 1 && sy >= 0 && sy < 1;
        bool monotone = x <= y ? sx <= sy : sx >= sy;
        return (inRange && monotone).Label($"{x}->{sx}, {y}->{sy}");
    }

    [Fact]
    public void The_score_is_one_half_at_a_tail_probability_of_1e_5_and_continuous_at_the_knee()
    {
        Assert.Equal(0.5, TailProbability.ToScore(5), 12);
        Assert.Equal(TailProbability.ToScore(20), TailProbability.ToScore(20 + 1e-9), 9);
        Assert.True(TailProbability.ToScore(1e300) < 1.0);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaZScoreDetector(calibration: new CalibrationOptions { LongWindow = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaZScoreDetector(calibration: new CalibrationOptions { SurpriseScale = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaZScoreDetector(calibration: new CalibrationOptions { AlarmScore = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaZScoreDetector(alpha: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeasonalBaselineDetector(slotMinutes: 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpikeSaliencyDetector(window: 0));
        Assert.Throws<ArgumentException>(() => new EnsembleDetector([]));
    }

    [Fact]
    public void A_snapshot_cannot_be_restored_into_another_detector()
    {
        var ewma = new EwmaZScoreDetector();
        ewma.Score([0, 1], [0, 0], [1, 2], new double[2]);
        using var stream = new MemoryStream();
        ewma.Snapshot(new BinaryWriter(stream));
        stream.Position = 0;
        Assert.Throws<InvalidOperationException>(() => new RobustZScoreDetector().Restore(new BinaryReader(stream)));
    }
}
