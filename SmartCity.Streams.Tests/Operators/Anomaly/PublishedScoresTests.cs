using NabRunner;
using NabRunner.Scoring;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>Published per-file NAB scores summed over the evaluated files and normalised with their null and perfect scores.</summary>
public sealed class PublishedScoresTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("published-scores-");

    // Two files with one and two windows: null = -3 x FN weight, perfect = 3 x TP weight.
    private static readonly NabFile[] Files =
    [
        new("cat/a.csv", Rows(100), new double[100], [(40, 49)]),
        new("cat/b.csv", Rows(200), new double[200], [(60, 69), (120, 139)]),
    ];

    public void Dispose() => _dir.Delete(recursive: true);

    private static long[] Rows(int n) => Enumerable.Range(0, n).Select(i => (long)i).ToArray();

    private void Table(string name, params string[] lines) => File.WriteAllLines(Path.Combine(_dir.FullName, name), lines);

    [Fact]
    public void Per_file_scores_are_summed_over_the_evaluated_files_and_normalised()
    {
        Table("X_standard.csv", "cat/a.csv,0.5", "cat/b.csv,1.0", "other/c.csv,99");
        Table("X_reward_low_FN_rate.csv", "cat/a.csv,-1", "cat/b.csv,0");

        IReadOnlyList<PublishedScore> scores = PublishedScores.Compute(_dir, Files);

        // standard: (1.5 + 3) / (3 + 3); low FN (FN weight 2): (-1 + 6) / (3 + 6); the file not evaluated is ignored.
        Assert.Equal(75.0, scores.Single(s => s.Profile == "standard").Normalized!.Value, 9);
        Assert.Equal(500.0 / 9, scores.Single(s => s.Profile == "reward_low_FN_rate").Normalized!.Value, 9);
        Assert.Null(scores.Single(s => s.Profile == "reward_low_FP_rate").Normalized);
    }

    [Fact]
    public void A_table_without_an_evaluated_file_names_it_instead_of_scoring()
    {
        Table("X_standard.csv", "cat/a.csv,0.5");

        PublishedScore score = PublishedScores.Compute(_dir, Files).Single(s => s.Profile == "standard");

        Assert.Null(score.Normalized);
        Assert.Equal(["cat/b.csv"], score.MissingFiles);
    }

    [Fact]
    public void A_malformed_line_is_reported_with_its_file_and_line()
    {
        Table("X_standard.csv", "cat/a.csv,0.5", "cat/b.csv;1.0");

        var error = Assert.Throws<InvalidDataException>(() => PublishedScores.Compute(_dir, Files));

        Assert.Contains("X_standard.csv, line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("cat/b.csv;1.0", error.Message, StringComparison.Ordinal);
    }
}
