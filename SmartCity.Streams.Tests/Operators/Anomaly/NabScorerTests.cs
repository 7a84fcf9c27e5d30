using NabRunner.Scoring;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>NAB's scoring rules on a tiny hand-made corpus (timestamps are row numbers).</summary>
public class NabScorerTests
{
    // File a: 100 rows (probation 15), one window [40, 49]. File b: 200 rows (probation 30), windows [60, 69] and [120, 139].
    private static readonly (long, long)[] WindowsA = [(40, 49)];
    private static readonly (long, long)[] WindowsB = [(60, 69), (120, 139)];

    [Theory]
    [InlineData("standard")]
    [InlineData("reward_low_FP_rate")]
    [InlineData("reward_low_FN_rate")]
    public void The_null_detector_scores_0_and_a_perfect_one_100(string profileName)
    {
        NabProfile profile = NabProfile.All.Single(p => p.Name == profileName);
        Assert.Equal(0, NabScorer.Score(Corpus(_ => 0.5, _ => 0.5), profile).Normalized, 9);
        Assert.Equal(0, NabScorer.Score(Corpus(_ => 0.0, _ => 0.0), profile).Normalized, 9);
        NabScore perfect = NabScorer.Score(Corpus(i => i == 40 ? 1 : 0, i => i is 60 or 120 ? 1 : 0), profile);
        Assert.Equal(100, perfect.Normalized, 9);
        Assert.Equal(3 * profile.TpWeight, perfect.Raw, 9);
        Assert.Equal(-3 * profile.FnWeight, perfect.Null, 9);
    }

    [Fact]
    public void Earlier_detection_in_a_window_is_worth_more_and_only_the_earliest_counts()
    {
        double Raw(int a, int b1, int b2) => NabScorer.Optimize(Corpus(i => i == a ? 1 : 0, i => i == b1 || i == b2 ? 1 : 0), NabProfile.Standard).Raw;
        double early = Raw(40, 60, 120);
        double middle = Raw(45, 65, 130);
        double late = Raw(49, 69, 139);
        Assert.True(early > middle && middle > late, $"{early} {middle} {late}");
        double earlyAndMore = NabScorer.Optimize(Corpus(i => i is 40 or 41 or 45 ? 1 : 0, i => i is 60 or 61 or 120 or 138 ? 1 : 0), NabProfile.Standard).Raw;
        Assert.Equal(early, earlyAndMore, 12);

        // The last row of a 10-row window sits at relative position -1/10: 2*sigmoid(0.5)-1, scaled so the first row is worth 1.
        double lastRow = ((2 / (1 + Math.Exp(-0.5))) - 1) / NabScorer.ScaledSigmoid(-1);
        Assert.Equal(lastRow, NabScorer.Optimize([A(i => i == 49 ? 1 : 0)], NabProfile.Standard).Raw, 12);
    }

    [Fact]
    public void False_positives_cost_the_FP_weight_before_any_window_and_less_just_after_a_window()
    {
        double perfect = NabScorer.Optimize(Corpus(i => i == 40 ? 1 : 0, i => i is 60 or 120 ? 1 : 0), NabProfile.Standard).Raw;
        // Row 20 of file a: after its 15-row probation, before any window. Row 20 of file b: inside b's 30-row probation, ignored.
        double early = NabScorer.Optimize(Corpus(i => i is 20 or 40 ? 1 : 0, i => i is 20 or 60 or 120 ? 1 : 0), NabProfile.Standard).Raw;
        Assert.Equal(perfect - 0.11, early, 12);
        // Row 51 of file a is 2 rows after the 10-row window [40, 49]: relative position 2/9.
        double justAfter = NabScorer.Optimize(Corpus(i => i is 40 or 51 ? 1 : 0, i => i is 60 or 120 ? 1 : 0), NabProfile.Standard).Raw;
        Assert.Equal(perfect + (0.11 * NabScorer.ScaledSigmoid(2.0 / 9)), justAfter, 12);
        Assert.True(perfect - justAfter < 0.11);
    }

    [Fact]
    public void The_threshold_is_optimised_over_the_whole_corpus()
    {
        // Windows score 0.9; row 25 scores 0.95 in both files (a false positive in a, inside b's probation).
        (double raw, double threshold) = NabScorer.Optimize(
            Corpus(i => i == 40 ? 0.9 : i == 25 ? 0.95 : 0.1, i => i is 60 or 120 ? 0.9 : i == 25 ? 0.95 : 0.1), NabProfile.Standard);
        Assert.Equal(0.9, threshold);
        Assert.Equal(3 - 0.11, raw, 12);
    }

    [Fact]
    public void A_fixed_threshold_scores_what_the_sweep_finds_there_and_admits_ties()
    {
        // Same corpus as above: at the optimum 0.9 the fixed-threshold score equals the optimised one; at 0.95 only the
        // false positive is a detection; above every score nothing is; at or below the lowest score every row is.
        IReadOnlyList<NabFile> corpus = Corpus(i => i == 40 ? 0.9 : i == 25 ? 0.95 : 0.1, i => i is 60 or 120 ? 0.9 : i == 25 ? 0.95 : 0.1);
        (double raw, double threshold) = NabScorer.Optimize(corpus, NabProfile.Standard);
        Assert.Equal(raw, NabScorer.ScoreAt(corpus, NabProfile.Standard, threshold), 12);
        Assert.Equal(-3 - 0.11, NabScorer.ScoreAt(corpus, NabProfile.Standard, 0.95), 12);
        Assert.Equal(-3, NabScorer.ScoreAt(corpus, NabProfile.Standard, 1.1), 12);
        Assert.True(NabScorer.ScoreAt(corpus, NabProfile.Standard, 0.1) < NabScorer.ScoreAt(corpus, NabProfile.Standard, 0.9));
    }

    [Fact]
    public void A_true_positive_from_NABs_published_results_is_reproduced_exactly()
    {
        // numenta/NAB results/numenta/realTraffic/numenta_speed_7578.csv: HTM's first detection in the first window
        // (rows 303..331 of 1127, detected at row 317) is credited 0.871604206333 in NAB's S(t)_standard column.
        var file = new NabFile("realTraffic/speed_7578.csv", Times(1127), Scores(1127, i => i == 317 ? 1 : 0), [(303, 331)]);
        Assert.Equal(0.871604206333, NabScorer.Optimize([file], NabProfile.Standard).Raw, 12);
    }

    [Fact]
    public void Probation_is_fifteen_percent_capped_at_750_rows()
    {
        Assert.Equal(15, NabScorer.ProbationLength(100));
        Assert.Equal(600, NabScorer.ProbationLength(4000));
        Assert.Equal(750, NabScorer.ProbationLength(22695));
    }

    [Fact]
    public void Labels_mark_the_rows_inside_windows()
    {
        int[] labels = B(_ => 0).Labels();
        Assert.Equal(30, labels.Sum());
        Assert.Equal(1, labels[60]);
        Assert.Equal(0, labels[70]);
        Assert.Equal(1, labels[139]);
    }

    private static NabFile A(Func<int, double> score) => new("cat/a.csv", Times(100), Scores(100, score), WindowsA);

    private static NabFile B(Func<int, double> score) => new("cat/b.csv", Times(200), Scores(200, score), WindowsB);

    private static List<NabFile> Corpus(Func<int, double> a, Func<int, double> b) => [A(a), B(b)];

    private static long[] Times(int n) => Enumerable.Range(0, n).Select(i => (long)i).ToArray();

    private static double[] Scores(int n, Func<int, double> score) => Enumerable.Range(0, n).Select(score).ToArray();
}
