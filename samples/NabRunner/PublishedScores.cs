using System.Globalization;
using NabRunner.Scoring;

namespace NabRunner;

/// <summary>
/// Published NAB detectors on the same files: NAB's result tables give, per detector and profile, each file's raw score
/// at that detector's threshold optimised on the full corpus (<c>results/&lt;detector&gt;/&lt;detector&gt;_&lt;profile&gt;_scores.csv</c>).
/// Summed over the files being evaluated and normalised with their own null and perfect scores, they place the published
/// detectors on exactly the corpus this run scores. Their thresholds saw all 58 files, ours only these: on a subset the
/// comparison slightly favours a detector optimised on that subset.
/// </summary>
public static class PublishedScores
{
    /// <summary>Reads <c>&lt;detector&gt;_&lt;profile&gt;.csv</c> files (lines <c>category/file.csv,raw score</c>) from
    /// <paramref name="directory"/> and prints one line per detector with the three normalised profile scores over
    /// <paramref name="files"/>, or says which files a table lacks.</summary>
    public static void Print(DirectoryInfo directory, IReadOnlyList<NabFile> files)
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

        foreach (string detector in detectors)
        {
            var line = new System.Text.StringBuilder("PUBLISHED " + detector);
            foreach (NabProfile profile in NabProfile.All)
            {
                string path = Path.Combine(directory.FullName, $"{detector}_{profile.Name}.csv");
                line.Append(' ').Append(profile.Name).Append('=').Append(File.Exists(path) ? Normalized(path, profile, files) : "n/a");
            }

            Console.WriteLine(line);
        }
    }

    private static string Normalized(string path, NabProfile profile, IReadOnlyList<NabFile> files)
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
            return $"n/a(missing {string.Join(' ', missing)})";
        }

        // Null detector: every window missed; perfect: every window detected at its start (TP weight).
        double nullRaw = -windows * profile.FnWeight;
        double perfect = windows * profile.TpWeight;
        return (100.0 * (sum - nullRaw) / (perfect - nullRaw)).ToString("F2", CultureInfo.InvariantCulture);
    }
}
