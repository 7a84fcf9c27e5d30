using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.Streams.Operators.Anomaly;
using SmartCity.Streams.Testing;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>The contract every detector must keep, run once per detector by the subclasses below.</summary>
public abstract class DetectorContractTests
{
    protected abstract AnomalyDetector Create();

    [Property(MaxTest = 30)]
    public Property Scores_are_in_the_unit_interval_and_never_NaN_whatever_the_input(int seed, PositiveInt size)
    {
        (int[] keys, long[] times, double[] values) = Rows(seed, 1 + (size.Get % 3000), nasty: true);
        double[] scores = Score(Create(), keys, times, values, Cuts(seed, keys.Length));
        return scores.All(s => s >= 0 && s <= 1 && !double.IsNaN(s)).Label($"min={scores.Min()} max={scores.Max()}");
    }

    [Property(MaxTest = 30)]
    public Property Scores_never_saturate_at_exactly_one(int seed, PositiveInt size)
    {
        (int[] keys, long[] times, double[] values) = Rows(seed, 1 + (size.Get % 3000), nasty: true);
        double[] scores = Score(Create(), keys, times, values, []);
        return scores.All(s => s < 1.0).ToProperty();
    }

    [Property(MaxTest = 30)]
    public Property Splitting_the_same_rows_into_other_batches_gives_identical_scores(int seed, PositiveInt size)
    {
        (int[] keys, long[] times, double[] values) = Rows(seed, 1 + (size.Get % 3000), nasty: (seed & 1) == 0);
        double[] whole = Score(Create(), keys, times, values, []);
        double[] split = Score(Create(), keys, times, values, Cuts(seed, keys.Length));
        return whole.SequenceEqual(split).ToProperty();
    }

    [Property(MaxTest = 30)]
    public Property Snapshot_and_restore_mid_stream_changes_nothing(int seed, PositiveInt size)
    {
        (int[] keys, long[] times, double[] values) = Rows(seed, 2 + (size.Get % 3000), nasty: (seed & 1) == 0);
        int cut = 1 + (Math.Abs(seed) % (keys.Length - 1));
        double[] expected = Score(Create(), keys, times, values, []);

        AnomalyDetector first = Create();
        var actual = new double[keys.Length];
        first.Score(keys.AsSpan(0, cut), times.AsSpan(0, cut), values.AsSpan(0, cut), actual.AsSpan(0, cut));
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            first.Snapshot(writer);
        }

        stream.Position = 0;
        AnomalyDetector second = Create();
        using (var reader = new BinaryReader(stream))
        {
            second.Restore(reader);
        }

        second.Score(keys.AsSpan(cut), times.AsSpan(cut), values.AsSpan(cut), actual.AsSpan(cut));
        return expected.SequenceEqual(actual).ToProperty();
    }

    [Property(MaxTest = 20)]
    public Property Keys_split_over_lanes_score_as_in_one_lane(int seed, PositiveInt size)
    {
        (int[] keys, long[] times, double[] values) = Rows(seed, 1 + (size.Get % 3000), nasty: (seed & 1) == 0);
        double[] one = Score(Create(), keys, times, values, Cuts(seed, keys.Length));

        // Lane = key % 2, with the lane's own dense numbering key / 2, as the engine's partitioner would give.
        var lanes = new[] { Create(), Create() };
        var many = new double[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            lanes[keys[i] % 2].Score([keys[i] / 2], times.AsSpan(i, 1), values.AsSpan(i, 1), many.AsSpan(i, 1));
        }

        return one.SequenceEqual(many).ToProperty();
    }

    [Fact]
    public void Steady_state_batches_allocate_nothing()
    {
        const int batch = 512;
        (int[] keys, long[] times, double[] values) = Rows(42, batch * 300, nasty: false);
        // Routine spikes, so the rare paths (new peaks, cooldowns, the likelihood's recurrence counters) run as well.
        for (int i = 0; i < values.Length; i += 97)
        {
            values[i] += 40;
        }

        AnomalyDetector detector = Create();
        var scores = new double[batch];
        for (int b = 0; b < 50; b++)
        {
            detector.Score(keys.AsSpan(b * batch, batch), times.AsSpan(b * batch, batch), values.AsSpan(b * batch, batch), scores);
        }

        // A kernel that allocates per batch allocates in every round of 250 warm batches.
        long allocated = SteadyStateAllocation.Minimum(5, _ =>
        {
            for (int b = 50; b < 300; b++)
            {
                detector.Score(keys.AsSpan(b * batch, batch), times.AsSpan(b * batch, batch), values.AsSpan(b * batch, batch), scores);
            }
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        AnomalyDetector detector = Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Score([-1], [0], [1.0], new double[1]));
        Assert.Throws<ArgumentException>(() => detector.Score([0, 0], [0], [1.0], new double[2]));
    }

    [Fact]
    public void Constant_series_scores_zero_after_warm_up()
    {
        (int[] keys, long[] times, _) = Rows(1, 2000, nasty: false);
        var values = Enumerable.Repeat(42.0, keys.Length).ToArray();
        double[] scores = Score(Create(), keys, times, values, []);
        Assert.All(scores, s => Assert.True(s < 0.3, $"score {s} on a constant series"));
    }

    /// <summary>Rows of several sensors interleaved, each in time order, every 5 minutes.</summary>
    internal static (int[] Keys, long[] Times, double[] Values) Rows(int seed, int n, bool nasty)
    {
        int sensors = 1 + (Math.Abs(seed) % 4);
        var keys = new int[n];
        var times = new long[n];
        double[] values = nasty ? SyntheticSeries.Nasty(n, seed) : SyntheticSeries.Seasonal(n, seed);
        for (int i = 0; i < n; i++)
        {
            keys[i] = i % sensors;
            times[i] = SyntheticSeries.Start + ((i / sensors) * SyntheticSeries.Step);
        }

        return (keys, times, values);
    }

    internal static int[] Cuts(int seed, int n)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, random.Next(0, 20)).Select(_ => random.Next(1, Math.Max(2, n))).Where(c => c < n).Distinct().Order().ToArray();
    }

    internal static double[] Score(AnomalyDetector detector, int[] keys, long[] times, double[] values, int[] cuts)
    {
        var scores = new double[keys.Length];
        int start = 0;
        foreach (int cut in cuts.Append(keys.Length))
        {
            detector.Score(keys.AsSpan(start, cut - start), times.AsSpan(start, cut - start), values.AsSpan(start, cut - start), scores.AsSpan(start, cut - start));
            start = cut;
        }

        return scores;
    }
}

[Collection(AllocationMeasuringCollection.Name)]
public sealed class EwmaZScoreDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() => new EwmaZScoreDetector();
}

public sealed class RobustZScoreDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() => new RobustZScoreDetector();
}

public sealed class SeasonalBaselineDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() => new SeasonalBaselineDetector();
}

public sealed class LevelShiftDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() => new LevelShiftDetector();
}

public sealed class SpikeSaliencyDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() => new SpikeSaliencyDetector();
}

public sealed class RangeNoveltyDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() => new RangeNoveltyDetector();
}

public sealed class EnsembleDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() => new EnsembleDetector();
}

public sealed class NormalisedSeasonalBaselineDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() => new SeasonalBaselineDetector(calibration: new CalibrationOptions { EvidenceBlockRows = 64 });
}

public sealed class NormalisedEnsembleDetectorContractTests : DetectorContractTests
{
    protected override AnomalyDetector Create() =>
        new EnsembleDetector(EnsembleDetector.CreateDefaultMembers(new CalibrationOptions { EvidenceBlockRows = 64 }), name: "ensemble-normalised");
}
