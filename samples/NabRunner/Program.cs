using System.CommandLine;
using System.Globalization;
using System.Text;
using NabRunner;
using NabRunner.Scoring;
using SmartCity.Streams.Operators.Anomaly;

var dataOption = new Option<DirectoryInfo>("--data")
{
    Description = "Data directory in NAB layout: <dir>/<category>/<file>.csv with columns timestamp,value.",
    Required = true,
};
var outOption = new Option<DirectoryInfo>("--out")
{
    Description = "Results directory; writes <out>/<detector>/<category>/<detector>_<file>.csv.",
    Required = true,
};
var detectorsOption = new Option<string?>("--detectors")
{
    Description = $"Comma-separated detector names (default: all): {string.Join(", ", Detectors.Names)}.",
};
var labelsOption = new Option<FileInfo?>("--labels")
{
    Description = "NAB windows file (labels/combined_windows.json); when given, results are labelled and scored with NAB's rules.",
};

var verboseOption = new Option<bool>("--verbose")
{
    Description = "With --labels: per profile and file, the detected windows and false positives at the profile's best threshold.",
};

var foldsOption = new Option<bool>("--folds")
{
    Description = "With --labels: leave-one-category-out validation; each category is scored at the threshold optimised on the others.",
};

var publishedOption = new Option<DirectoryInfo?>("--published")
{
    Description = "With --labels: directory of published per-file NAB scores (<detector>_<profile>.csv, lines 'category/file.csv,raw score'); prints those detectors' scores over the same files.",
};

var thresholdOption = new Option<double?>("--threshold")
{
    Description = "With --labels: also score every detector at this fixed threshold (e.g. one chosen on another corpus), as a deployment would: no optimisation on the labels being scored.",
};

var root = new RootCommand("Runs SmartCity.Streams anomaly detectors over a NAB-layout corpus and scores them with NAB's rules.")
{
    dataOption, outOption, detectorsOption, labelsOption, verboseOption, foldsOption, publishedOption, thresholdOption,
};
root.SetAction(parse =>
{
    try
    {
        return Run(parse.GetValue(dataOption)!, parse.GetValue(outOption)!, parse.GetValue(detectorsOption), parse.GetValue(labelsOption), parse.GetValue(verboseOption), parse.GetValue(foldsOption), parse.GetValue(publishedOption), parse.GetValue(thresholdOption));
    }
    catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
});
return root.Parse(args).Invoke();

static int Run(DirectoryInfo data, DirectoryInfo output, string? detectorList, FileInfo? labelsFile, bool verbose, bool folds, DirectoryInfo? published, double? fixedThreshold)
{
    if (!data.Exists)
    {
        throw new InvalidDataException($"data directory '{data.FullName}' does not exist.");
    }

    List<string> names = [];
    foreach (string raw in (detectorList ?? string.Join(',', Detectors.Names)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        if (!IsValidName(raw))
        {
            throw new ArgumentException($"detector name '{raw}' must use letters, digits and '-' only.");
        }

        _ = Detectors.Create(raw); // fails early on an unknown name
        names.Add(raw);
    }

    if (names.Count == 0)
    {
        throw new ArgumentException("--detectors lists no detector.");
    }

    Dictionary<string, List<(long Start, long End)>>? labels = null;
    if (labelsFile is not null)
    {
        if (!labelsFile.Exists)
        {
            throw new InvalidDataException($"labels file '{labelsFile.FullName}' does not exist.");
        }

        labels = NabLabels.Read(labelsFile.FullName);
    }

    var files = new List<NabCsv>();
    foreach (DirectoryInfo category in data.GetDirectories().OrderBy(d => d.Name, StringComparer.Ordinal))
    {
        foreach (FileInfo file in category.GetFiles("*.csv").OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            files.Add(NabCsv.Read(file.FullName, category.Name + "/" + file.Name));
        }
    }

    if (files.Count == 0)
    {
        throw new InvalidDataException($"no <category>/<file>.csv found under '{data.FullName}'.");
    }

    var windowsByFile = new List<(long Start, long End)>[files.Count];
    for (int f = 0; f < files.Count; f++)
    {
        windowsByFile[f] = [];
        if (labels is not null && !labels.TryGetValue(files[f].RelativePath, out windowsByFile[f]!))
        {
            Console.Error.WriteLine($"warning: {files[f].RelativePath} has no entry in the labels file; scored as having no anomaly window.");
            windowsByFile[f] = [];
        }
    }

    Console.WriteLine($"{files.Count} files, {files.Sum(f => f.Rows)} rows, detectors: {string.Join(", ", names)}");
    if (fixedThreshold is double requested && (labels is null || !double.IsFinite(requested)))
    {
        throw new ArgumentException(labels is null ? "--threshold needs --labels." : $"--threshold must be a finite number, got {requested}.");
    }

    if (published is not null)
    {
        if (labels is null)
        {
            throw new ArgumentException("--published needs --labels.");
        }

        var unscored = new List<NabFile>(files.Count);
        for (int f = 0; f < files.Count; f++)
        {
            unscored.Add(new NabFile(files[f].RelativePath, files[f].TimesMicros, new double[files[f].Rows], windowsByFile[f]));
        }

        PublishedScores.Print(published, unscored);
    }

    var summary = new List<string>();
    foreach (string name in names)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        AnomalyDetector detector = Detectors.Create(name);
        var scored = new List<NabFile>(files.Count);
        for (int f = 0; f < files.Count; f++)
        {
            NabCsv csv = files[f];
            double[] scores = ScoreFile(detector, f, csv);
            var nabFile = new NabFile(csv.RelativePath, csv.TimesMicros, scores, windowsByFile[f]);
            scored.Add(nabFile);
            WriteResults(output, name, csv, scores, labels is null ? new int[csv.Rows] : nabFile.Labels());
        }

        sw.Stop();
        if (labels is not null)
        {
            var line = new StringBuilder("NAB " + name);
            foreach (NabProfile profile in NabProfile.All)
            {
                NabScore s = NabScorer.Score(scored, profile);
                line.Append(CultureInfo.InvariantCulture, $" {profile.Name}={s.Normalized:F2}");
            }

            summary.Add(line.ToString());
            Console.WriteLine(line);
            if (fixedThreshold is double t)
            {
                var fixedLine = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"FIXED {name} threshold={t}"));
                foreach (NabProfile profile in NabProfile.All)
                {
                    NabScore best = NabScorer.Score(scored, profile);
                    double raw = NabScorer.ScoreAt(scored, profile, t);
                    fixedLine.Append(CultureInfo.InvariantCulture, $" {profile.Name}={100.0 * (raw - best.Null) / (best.Perfect - best.Null):F2}");
                }

                Console.WriteLine(fixedLine);
            }

            if (folds)
            {
                PrintFolds(name, scored);
            }

            if (verbose)
            {
                foreach (NabProfile profile in NabProfile.All)
                {
                    double threshold = NabScorer.Optimize(scored, profile).Threshold;
                    Console.WriteLine($"  {profile.Name} threshold {threshold:R}");
                    foreach (NabFile file in scored)
                    {
                        double raw = NabScorer.ScoreAt([file], profile, threshold);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {NabScorer.Describe(file, threshold)} raw={raw:F3}"));
                    }
                }
            }
        }
        else
        {
            Console.WriteLine($"{name}: results written in {sw.Elapsed.TotalSeconds:F2} s");
        }
    }

    return 0;
}

// Leave-one-category-out: per profile, each category's files are scored at the threshold optimised on all other
// categories; "pooled" adds the held-out raw scores and normalises them with the whole corpus's null and perfect scores.
static void PrintFolds(string name, List<NabFile> scored)
{
    string[] categories = [.. scored.Select(f => Path.GetDirectoryName(f.RelativePath)!).Distinct().Order(StringComparer.Ordinal)];
    foreach (NabProfile profile in NabProfile.All)
    {
        NabScore all = NabScorer.Score(scored, profile);
        double pooledRaw = 0;
        var line = new StringBuilder("FOLDS " + name + " " + profile.Name);
        foreach (string category in categories)
        {
            List<NabFile> held = [.. scored.Where(f => Path.GetDirectoryName(f.RelativePath) == category)];
            List<NabFile> train = [.. scored.Where(f => Path.GetDirectoryName(f.RelativePath) != category)];
            double threshold = NabScorer.Optimize(train, profile).Threshold;
            double raw = NabScorer.ScoreAt(held, profile, threshold);
            double nullRaw = NabScorer.Optimize(held, profile, useNullScores: true).Raw;
            int windows = held.Sum(f => f.WindowRows().Count);
            double perfect = windows * profile.TpWeight;
            string norm = perfect == nullRaw ? "n/a" : (100.0 * (raw - nullRaw) / (perfect - nullRaw)).ToString("F2", CultureInfo.InvariantCulture);
            pooledRaw += raw;
            line.Append(CultureInfo.InvariantCulture, $" {category}:thr={threshold:F3},raw={raw:F3},norm={norm}");
        }

        double pooled = 100.0 * (pooledRaw - all.Null) / (all.Perfect - all.Null);
        line.Append(CultureInfo.InvariantCulture, $" pooled={pooled:F2}");
        Console.WriteLine(line);
    }
}

static double[] ScoreFile(AnomalyDetector detector, int key, NabCsv csv)
{
    const int BatchSize = 4096;
    var scores = new double[csv.Rows];
    var keys = new int[BatchSize];
    keys.AsSpan().Fill(key);
    for (int start = 0; start < csv.Rows; start += BatchSize)
    {
        int n = Math.Min(BatchSize, csv.Rows - start);
        detector.Score(keys.AsSpan(0, n), csv.TimesMicros.AsSpan(start, n), csv.Values.AsSpan(start, n), scores.AsSpan(start, n));
    }

    return scores;
}

static void WriteResults(DirectoryInfo output, string name, NabCsv csv, double[] scores, int[] labels)
{
    string category = Path.GetDirectoryName(csv.RelativePath)!;
    string fileName = name + "_" + Path.GetFileName(csv.RelativePath);
    string dir = Path.Combine(output.FullName, name, category);
    Directory.CreateDirectory(dir);
    using var writer = new StreamWriter(Path.Combine(dir, fileName), false, new UTF8Encoding(false));
    writer.Write("timestamp,value,anomaly_score,label\n");
    for (int i = 0; i < csv.Rows; i++)
    {
        writer.Write(csv.TimestampText[i]);
        writer.Write(',');
        writer.Write(csv.ValueText[i]);
        writer.Write(',');
        writer.Write(scores[i].ToString("R", CultureInfo.InvariantCulture));
        writer.Write(',');
        writer.Write(labels[i] == 1 ? '1' : '0');
        writer.Write('\n');
    }
}

static bool IsValidName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
