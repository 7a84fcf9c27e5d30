using ScottPlot;
using SmartCity.Streams.Batches;

namespace CityPulse;

/// <summary>
/// Sensors × quarter hours of the reported day, coloured by relative speed: the 15-minute mean over the sensor's
/// fastest quarter hour of the day (its free flow), so slow roads and fast roads read alike and congestion stands out.
/// </summary>
internal static class SpeedHeatmap
{
    public static void Save(string path, WindowCells cells, IReadOnlyList<int> corridors, int perCorridor, int highlighted)
    {
        PlotFont.Use();
        var sensors = corridors.SelectMany(c => Enumerable.Range(c * perCorridor, perCorridor).Select(s => (long)s)).ToList();
        var grid = new double[sensors.Count, cells.Slots];
        for (var row = 0; row < sensors.Count; row++)
        {
            var values = cells.Get(sensors[row]);
            var free = values?.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max() ?? double.NaN;
            for (var slot = 0; slot < cells.Slots; slot++)
            {
                grid[sensors.Count - 1 - row, slot] = values is null || !(free > 0) ? double.NaN : Math.Clamp(values[slot] / free, 0, 1);
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(grid);
        heatmap.Colormap = new ScottPlot.Colormaps.Turbo().Reversed();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        var hours = cells.Slots * EventTime.FromTimeSpan(WindowPass.Slot) / (double)EventTime.MicrosPerHour;
        // The first sensor at the top, as a table reads: the axis runs downwards and ScottPlot draws the grid's last
        // row at the extent's top, hence the rows are stored in reverse above.
        heatmap.Extent = new CoordinateRect(0, hours, sensors.Count, 0);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "15-min mean speed / sensor's free flow";

        var ticks = new List<Tick>();
        for (var i = 0; i < corridors.Count; i++)
        {
            ticks.Add(new Tick(i * perCorridor + (perCorridor / 2.0), corridors[i] == highlighted ? $"corridor {corridors[i]} *" : $"corridor {corridors[i]}"));
            if (i > 0)
            {
                var line = plot.Add.HorizontalLine(i * perCorridor);
                line.Color = Colors.White;
                line.LineWidth = 1;
            }
        }

        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(2);
        plot.Axes.SetLimits(0, hours, sensors.Count, 0);
        plot.Title($"Relative speed per sensor and quarter hour, {EventTime.ToDateTimeOffset(cells.From):yyyy-MM-dd} ({sensors.Count} sensors, * = plotted corridor)");
        plot.XLabel("hour of the reported day (UTC)");
        plot.YLabel("sensors, by corridor (road order)");
        plot.SavePng(path, 1400, 900);
    }
}
