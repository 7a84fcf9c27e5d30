using ScottPlot;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Sources;

namespace CityPulse;

/// <summary>
/// One sensor's day: its 1-minute speed, the forecast made 30 minutes earlier with its prediction band, the events
/// raised on it, and the incidents the synthetic city injected there shaded as ground truth.
/// </summary>
internal static class CorridorPlot
{
    public static void Save(string path, long sensor, int corridor, (long Time, double Value)[] speed, ForecastCapture forecasts,
        IEnumerable<CityEvent> events, IEnumerable<SyntheticIncident> incidents, long from, long to)
    {
        PlotFont.Use();
        double Hours(long t) => (t - from) / (double)EventTime.MicrosPerHour;
        var plot = new Plot();

        var first = true;
        foreach (var incident in incidents.Where(i => i.AffectedSensors.Contains(sensor) && i.End > from && i.Start < to))
        {
            var span = plot.Add.HorizontalSpan(Hours(Math.Max(incident.Start, from)), Hours(Math.Min(incident.End, to)));
            span.FillStyle.Color = Colors.Red.WithAlpha(0.15);
            span.LineStyle.Width = 0;
            span.LegendText = first ? "incident injected (ground truth)" : string.Empty;
            first = false;
        }

        var band = forecasts.Points.Where(p => double.IsFinite(p.Lower) && double.IsFinite(p.Upper)).ToArray();
        if (band.Length > 1)
        {
            var fill = plot.Add.FillY(band.Select(p => Hours(p.Target)).ToArray(), band.Select(p => p.Lower).ToArray(), band.Select(p => p.Upper).ToArray());
            fill.FillColor = Colors.Orange.WithAlpha(0.25);
            fill.LineWidth = 0;
            fill.LegendText = $"prediction band ({forecasts.Horizon * 5} min ahead)";
            var line = plot.Add.ScatterLine(band.Select(p => Hours(p.Target)).ToArray(), band.Select(p => p.Forecast).ToArray());
            line.Color = Colors.DarkOrange;
            line.LineWidth = 1.5f;
            line.LegendText = $"forecast made {forecasts.Horizon * 5} min earlier";
        }

        var observed = plot.Add.ScatterLine(speed.Select(p => Hours(p.Time)).ToArray(), speed.Select(p => p.Value).ToArray());
        observed.Color = Colors.SteelBlue;
        observed.LineWidth = 1;
        observed.LegendText = "speed (1-minute window mean)";

        var mine = events.Where(e => e.Sensor.Number == sensor && e.Phase == EventPhase.Open && e.DetectionTime >= from && e.DetectionTime < to).ToList();
        Mark(plot, mine, EventCategory.Incident, "anomaly: sudden slowdown", Colors.Red, MarkerShape.FilledTriangleDown, speed, Hours);
        Mark(plot, mine, EventCategory.CongestionAhead, "congestion-ahead risk", Colors.Purple, MarkerShape.FilledDiamond, speed, Hours);
        Mark(plot, mine, EventCategory.Recovery, "recovery opportunity", Colors.Green, MarkerShape.FilledCircle, speed, Hours);
        Mark(plot, mine, EventCategory.SensorFault, "sensor fault", Colors.Black, MarkerShape.Cross, speed, Hours);

        plot.Title($"Sensor {sensor} (corridor {corridor}), {EventTime.ToDateTimeOffset(from):yyyy-MM-dd}: speed, forecast and events");
        plot.XLabel("hour of the reported day (UTC)");
        plot.YLabel("speed (km/h)");
        plot.Axes.SetLimits(0, Hours(to), 0, Math.Max(10, speed.Select(p => p.Value).DefaultIfEmpty(0).Max() * 1.05));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(2);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1400, 600);
    }

    private static void Mark(Plot plot, List<CityEvent> events, EventCategory category, string label, Color color, MarkerShape shape,
        (long Time, double Value)[] speed, Func<long, double> hours)
    {
        var chosen = events.Where(e => e.Category == category).ToList();
        if (chosen.Count == 0)
        {
            return;
        }

        var xs = chosen.Select(e => hours(e.DetectionTime)).ToArray();
        var ys = chosen.Select(e => SpeedAt(speed, e.DetectionTime)).ToArray();
        var markers = plot.Add.Markers(xs, ys, shape, 11, color);
        markers.LegendText = $"{label} ({chosen.Count})";
    }

    // The event is drawn on the speed line at its detection time (the last reading at or before it).
    private static double SpeedAt((long Time, double Value)[] speed, long time)
    {
        var index = Array.BinarySearch(speed.Select(p => p.Time).ToArray(), time);
        index = index >= 0 ? index : Math.Max(0, ~index - 1);
        return speed.Length == 0 ? 0 : speed[Math.Min(index, speed.Length - 1)].Value;
    }
}
