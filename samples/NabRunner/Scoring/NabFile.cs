namespace NabRunner.Scoring;

/// <summary>One scored data file: row timestamps, the detector's score per row and the labelled anomaly windows.</summary>
/// <param name="RelativePath">Path as in the labels file, e.g. <c>realTraffic/speed_6005.csv</c>.</param>
/// <param name="Times">Row timestamps (any monotone unit), in file order.</param>
/// <param name="Scores">Anomaly score per row.</param>
/// <param name="Windows">Labelled windows as inclusive [start, end] timestamps in the unit of <paramref name="Times"/>.</param>
public sealed record NabFile(string RelativePath, long[] Times, double[] Scores, IReadOnlyList<(long Start, long End)> Windows)
{
    /// <summary>Row index ranges [first, last] of the windows that contain at least one row, in time order.</summary>
    public List<(int First, int Last)> WindowRows()
    {
        var result = new List<(int First, int Last)>();
        var sorted = new List<(long Start, long End)>(Windows);
        sorted.Sort((a, b) => a.Start.CompareTo(b.Start));
        foreach ((long start, long end) in sorted)
        {
            // Linear scans, not binary search: real NAB files have a few rows out of time order, and NAB resolves a
            // window to the first row at or after its start and the first row at its end.
            int first = 0;
            while (first < Times.Length && Times[first] < start)
            {
                first++;
            }

            int last = first;
            while (last < Times.Length && Times[last] < end)
            {
                last++;
            }

            if (last == Times.Length || Times[last] > end)
            {
                last--;
            }

            if (first <= last)
            {
                result.Add((first, last));
            }
        }

        return result;
    }

    /// <summary>1 for rows inside a labelled window, else 0.</summary>
    public int[] Labels()
    {
        var labels = new int[Times.Length];
        foreach ((int first, int last) in WindowRows())
        {
            labels.AsSpan(first, last - first + 1).Fill(1);
        }

        return labels;
    }
}
