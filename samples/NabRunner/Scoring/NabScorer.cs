namespace NabRunner.Scoring;

/// <summary>Result of scoring one detector under one profile.</summary>
/// <param name="Raw">Raw NAB score at the best threshold.</param>
/// <param name="Threshold">Best threshold (a row is a detection when its score is &gt;= the threshold).</param>
/// <param name="Null">Raw score of the null detector on the same corpus.</param>
/// <param name="Perfect">Raw score of a perfect detector (number of windows times the TP weight).</param>
public sealed record NabScore(double Raw, double Threshold, double Null, double Perfect)
{
    /// <summary>100 * (raw - null) / (perfect - null): 0 for the null detector, 100 for a perfect one.</summary>
    public double Normalized => Perfect == Null ? 0 : 100.0 * (Raw - Null) / (Perfect - Null);
}

/// <summary>
/// NAB v1.1 scoring, re-implemented from its rules (nab/sweeper.py): every row after the probation period gets a
/// weight; a row inside a window is worth the scaled sigmoid of its relative position (earliest = full TP weight) and
/// only the best (earliest) detection of a window counts; a row outside windows costs the FP weight scaled by its
/// distance after the previous window; an undetected window costs the FN weight. The threshold is swept over every
/// distinct score of the whole corpus and the best total is kept.
/// </summary>
public static class NabScorer
{
    public const double ProbationPercent = 0.15;

    /// <summary>min(floor(0.15 n), 0.15 * 5000) rows at the start of each file are ignored.</summary>
    public static int ProbationLength(int rows) => (int)Math.Min(Math.Floor(ProbationPercent * rows), ProbationPercent * 5000);

    /// <summary>2 * sigmoid(-5 x) - 1, and -1 from x &gt;= 3 (NAB's <c>scaledSigmoid</c>).</summary>
    public static double ScaledSigmoid(double relativePosition) =>
        relativePosition >= 3.0 ? -1.0 : (2.0 / (1.0 + Math.Exp(5.0 * relativePosition))) - 1.0;

    /// <summary>Scores a detector's results over a corpus with threshold optimisation and normalisation.</summary>
    public static NabScore Score(IReadOnlyList<NabFile> files, NabProfile profile)
    {
        (double raw, double threshold) = Optimize(files, profile, useNullScores: false);
        (double nullRaw, _) = Optimize(files, profile, useNullScores: true);
        int windows = 0;
        foreach (NabFile f in files)
        {
            windows += f.WindowRows().Count;
        }

        return new NabScore(raw, threshold, nullRaw, windows * profile.TpWeight);
    }

    /// <summary>Best raw score over all thresholds and the threshold that reaches it.</summary>
    public static (double Raw, double Threshold) Optimize(IReadOnlyList<NabFile> files, NabProfile profile, bool useNullScores = false)
    {
        (double raw, double threshold, _) = Sweep(files, profile, useNullScores, double.NaN);
        return (raw, threshold);
    }

    /// <summary>Raw score at a fixed threshold (rows with a score &gt;= it are detections), e.g. one optimised on other files.</summary>
    public static double ScoreAt(IReadOnlyList<NabFile> files, NabProfile profile, double threshold) =>
        Sweep(files, profile, useNullScores: false, threshold).AtFixed;

    private static (double Raw, double Threshold, double AtFixed) Sweep(IReadOnlyList<NabFile> files, NabProfile profile, bool useNullScores, double fixedThreshold)
    {
        var scores = new List<double>();
        var weights = new List<double>();
        var windowIds = new List<int>();
        int windowCount = 0;
        var scorableWindows = new HashSet<int>();
        double maxTp = ScaledSigmoid(-1.0);

        foreach (NabFile file in files)
        {
            int n = file.Times.Length;
            if (file.Scores.Length != n)
            {
                throw new ArgumentException($"{file.RelativePath}: {file.Scores.Length} scores for {n} rows.", nameof(files));
            }

            int probation = ProbationLength(n);
            List<(int First, int Last)> windows = file.WindowRows();
            int w = 0;
            int prevRight = -1;
            int prevWidth = 0;
            for (int i = 0; i < n; i++)
            {
                while (w < windows.Count && windows[w].Last < i)
                {
                    prevRight = windows[w].Last;
                    prevWidth = windows[w].Last - windows[w].First + 1;
                    w++;
                }

                bool inWindow = w < windows.Count && i >= windows[w].First;
                double weight;
                int id;
                if (inWindow)
                {
                    int right = windows[w].Last;
                    int width = right - windows[w].First + 1;
                    double position = -(right - i + 1) / (double)width;
                    weight = ScaledSigmoid(position) * profile.TpWeight / maxTp;
                    id = windowCount + w;
                }
                else
                {
                    double position = prevRight < 0 || prevWidth <= 1 ? 3.0 : Math.Abs(prevRight - i) / (double)(prevWidth - 1);
                    weight = ScaledSigmoid(position) * profile.FpWeight;
                    id = -1;
                }

                if (i < probation)
                {
                    continue;
                }

                if (id >= 0)
                {
                    scorableWindows.Add(id);
                }

                double s = useNullScores ? 0.5 : file.Scores[i];
                scores.Add(double.IsNaN(s) ? 0 : s);
                weights.Add(weight);
                windowIds.Add(id);
            }

            windowCount += windows.Count;
        }

        var best = new double[windowCount];
        double current = 0;
        for (int i = 0; i < windowCount; i++)
        {
            if (scorableWindows.Contains(i))
            {
                best[i] = -profile.FnWeight;
                current -= profile.FnWeight;
            }
        }

        int m = scores.Count;
        var order = new int[m];
        var sortKeys = new double[m];
        for (int i = 0; i < m; i++)
        {
            order[i] = i;
            sortKeys[i] = -scores[i];
        }

        // Ties are processed together: a threshold admits every row whose score is >= it.
        Array.Sort(sortKeys, order);
        double bestScore = current;
        double bestThreshold = 1.1;
        double atFixed = current;
        bool fixedReached = false;
        int j = 0;
        while (j < m)
        {
            double threshold = scores[order[j]];
            if (!fixedReached && threshold < fixedThreshold)
            {
                atFixed = current;
                fixedReached = true;
            }

            while (j < m && scores[order[j]] == threshold)
            {
                int p = order[j];
                int id = windowIds[p];
                if (id < 0)
                {
                    current += weights[p];
                }
                else if (weights[p] > best[id])
                {
                    current += weights[p] - best[id];
                    best[id] = weights[p];
                }

                j++;
            }

            if (current > bestScore)
            {
                bestScore = current;
                bestThreshold = threshold;
            }
        }

        // Every row scores >= the fixed threshold: all of them are detections.
        if (!fixedReached)
        {
            atFixed = current;
        }

        return (bestScore, bestThreshold, atFixed);
    }

    /// <summary>Per-file outcome at a given threshold: detected windows (relative position of the first detection,
    /// -1 = window start, 0 = window end), and the number of false-positive rows after probation.</summary>
    public static string Describe(NabFile file, double threshold)
    {
        int probation = ProbationLength(file.Times.Length);
        List<(int First, int Last)> windows = file.WindowRows();
        var parts = new List<string>();
        int fp = 0;
        int[] labels = file.Labels();
        for (int i = probation; i < file.Times.Length; i++)
        {
            if (labels[i] == 0 && file.Scores[i] >= threshold)
            {
                fp++;
            }
        }

        foreach ((int first, int last) in windows)
        {
            int hit = -1;
            for (int i = Math.Max(first, probation); i <= last; i++)
            {
                if (file.Scores[i] >= threshold)
                {
                    hit = i;
                    break;
                }
            }

            parts.Add(hit < 0 ? "miss" : (-(last - hit + 1) / (double)(last - first + 1)).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return $"{file.RelativePath}: fp={fp} windows=[{string.Join(' ', parts)}]";
    }
}
