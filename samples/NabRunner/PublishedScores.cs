using System.Globalization;
using NabRunner.Scoring;

namespace NabRunner;

/// <summary>One published detector's normalised score under one profile over the evaluated files, or the files its
/// table lacks.</summary>
public sealed record PublishedScore(string Detector, string Profile, double? Normalized, IReadOnlyList<string> MissingFiles);

/// <summary>
/// Published NAB detectors on the same files: NAB's result tables give, per detector and profile, each file's raw score
/// at that detector's threshold optimised on the full corpus (<c>results/&lt;detector&gt;/&lt;detector&gt;_&lt;profile&gt;_scores.csv</c>).
/// Summed over the files being evaluated and normalised with their own null and perfect scores, they place the published
/// detectors on exactly the corpus this run scores. Their thresholds saw all 58 files: on a subset the comparison
/// slightly favours a detector whose threshold was optimised on that subset.
/// </summary>
public static class PublishedScores
{
    /// <summary>Reads <c>&lt;detector&gt;_&lt;profile&gt;.csv</c> tables (lines <c>category/file.csv,raw score</c>) from
    /// <paramref name="directory"/>: one result per detector (a table named <c>*_standard.csv</c>) and profile.</summary>
    public static IReadOnlyList<PublishedScore> Compute(DirectoryInfo directory, IReadOnlyList<NabFile> files)
    {
        if (!directory.Exists)
        {
            throw new InvalidDataException($"published scores directory '{directory.FullName}' does not exist.");
        }

        var detectors = new SortedSet<string>(StringComparer.Ordinal);
        foreach (FileInfo table in directory.GetFiles("*_standard.csv"))
        {
            detectors.Add(table.Name[..^"_standard.csv".Length]);
        }

        var results = new List<PublishedScore>();
        foreach (string detector in detectors)
        {
            foreach (NabProfile profile in NabProfile.All)
            {
                string path = Path.Combine(directory.FullName, $"{detector}_{profile.Name}.csv");
                results.Add(File.Exists(path)
                    ? Normalize(detector, profile, ReadTable(path), files)
                    : new PublishedScore(detector, profile.Name, null, []));
            }
        }

        return results;
    }

    /// <summary>Prints one line per detector with its three profile scores (<c>n/a</c> where a table or a file is missing).</summary>
    public static void Print(DirectoryInfo directory, IReadOnlyList<NabFile> files)
    {
        foreach (IGrouping<string, PublishedScore> detector in Compute(directory, files).GroupBy(s => s.Detector))
        {
            var line = new System.Text.StringBuilder("PUBLISHED " + detector.Key);
            foreach (PublishedScore score in detector)
            {
                line.Append(' ').Append(score.Profile).Append('=');
                line.Append(score.Normalized is double value
                    ? value.ToString("F2", CultureInfo.InvariantCulture)
                    : score.MissingFiles.Count > 0 ? $"n/a(missing {string.Join(' ', score.MissingFiles)})" : "n/a");
            }

            Console.WriteLine(line);
        }
    }

    private static Dictionary<string, double> ReadTable(string path)
    {
        var raw = new Dictionary<string, double>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string text in File.ReadLines(path))
        {
            lineNumber++;
            string[] parts = text.Split(',');
            if (parts.Length < 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double score))
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: expected 'category/file.csv,raw score', got '{text}'.");
            }

            raw[parts[0]] = score;
        }

        return raw;
    }

    private static PublishedScore Normalize(string detector, NabProfile profile, Dictionary<string, double> raw, IReadOnlyList<NabFile> files)
    {
        double sum = 0;
        int windows = 0;
        var missing = new List<string>();
        foreach (NabFile file in files)
        {
            if (!raw.TryGetValue(file.RelativePath, out double score))
            {
                missing.Add(file.RelativePath);
                continue;
            }

            sum += score;
            windows += file.WindowRows().Count;
        }

        if (missing.Count > 0)
        {
            return new PublishedScore(detector, profile.Name, null, missing);
        }

        // Null detector: every window missed; perfect: every window detected at its start (TP weight).
        double nullRaw = -windows * profile.FnWeight;
        double perfect = windows * profile.TpWeight;
        double normalized = perfect == nullRaw ? 0 : 100.0 * (sum - nullRaw) / (perfect - nullRaw);
        return new PublishedScore(detector, profile.Name, normalized, []);
    }
}
