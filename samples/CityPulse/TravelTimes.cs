using SmartCity.Streams.Sources;

namespace CityPulse;

/// <summary>
/// Corridor travel times from the 15-minute window means: each sensor stands for a segment of fixed length, its
/// travel time is length / mean speed, and a corridor's is the sum over its sensors. Percentiles are over the
/// quarter hours of the reported period.
/// </summary>
internal static class TravelTimes
{
    /// <summary>The synthetic city has no geometry: every sensor is taken to cover 500 m of road.</summary>
    public const double SegmentKm = 0.5;

    /// <summary>A standing queue reads ~0 km/h; below this speed a segment counts as crawling at it (no infinite times).</summary>
    public const double CrawlKmh = 5;

    public static (int Corridor, double Free, double P50, double P90, double P95, int Quarters) Corridor(WindowCells cells, RoadNetwork network, int corridor, int perCorridor)
    {
        var minutes = new List<double>();
        for (var slot = 0; slot < cells.Slots; slot++)
        {
            var total = 0.0;
            var complete = true;
            for (var s = (long)corridor * perCorridor; s < Math.Min((long)(corridor + 1) * perCorridor, network.Count); s++)
            {
                var mean = cells.Get(s)?[slot] ?? double.NaN;
                if (double.IsNaN(mean))
                {
                    complete = false; // a silent sensor: no travel time for this quarter hour rather than a wrong one
                    break;
                }

                total += SegmentKm / Math.Max(mean, CrawlKmh) * 60;
            }

            if (complete)
            {
                minutes.Add(total);
            }
        }

        if (minutes.Count == 0)
        {
            return (corridor, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        minutes.Sort();
        return (corridor, minutes[0], Rank(minutes, 0.50), Rank(minutes, 0.90), Rank(minutes, 0.95), minutes.Count);
    }

    public static void Write(WindowCells cells, RoadNetwork network, int perCorridor, int highlighted, TextWriter log)
    {
        var all = Enumerable.Range(0, network.Corridors).Select(c => Corridor(cells, network, c, perCorridor)).Where(r => r.Quarters > 0).ToList();
        var shown = all.Where(r => r.Corridor == highlighted)
            .Concat(all.Where(r => r.Corridor != highlighted).OrderByDescending(r => r.P95).Take(4))
            .Concat(all.Where(r => r.Corridor != highlighted).OrderBy(r => r.P95).Take(1))
            .DistinctBy(r => r.Corridor)
            .ToList();
        log.WriteLine();
        log.WriteLine($"corridor travel times (reported period, from 15-minute window means; {perCorridor} sensors per corridor, " +
            $"each taken as a {SegmentKm * 1000:0} m segment, speeds below {CrawlKmh:0} km/h counted as {CrawlKmh:0})");
        log.WriteLine("  corridor    free flow      p50      p90      p95   quarter hours");
        foreach (var r in shown)
        {
            var note = r.Corridor == highlighted ? "   (plotted corridor)" : string.Empty;
            log.WriteLine($"  {r.Corridor,8}  {r.Free,8:0.0} min {r.P50,6:0.0}   {r.P90,6:0.0}   {r.P95,6:0.0}   {r.Quarters,8}{note}");
        }

        log.WriteLine($"  ({all.Count} corridors; shown: the plotted one, the 4 slowest and the fastest by p95)");
    }

    // Nearest-rank percentile of sorted values.
    private static double Rank(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
