using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Sources;

namespace CityPulse;

/// <summary>
/// Compares the events of the reported period with what the synthetic city injected: incidents detected (and
/// after how long), incidents missed, congestion-ahead lead times, faults found, and false alarms.
/// </summary>
internal static class GroundTruthReport
{
    private static readonly long Grace = EventTime.MicrosPerMinute * 15;

    public static void Write(IReadOnlyList<CityEvent> events, SyntheticCitySource city, long reportFrom, long horizon, TextWriter log)
    {
        var incidents = city.Incidents.Where(i => i.Start >= reportFrom).ToList();
        var faults = city.Faults.Where(f => f.Start >= reportFrom).ToList();
        var anomalyOpens = events.Where(e => e.Phase == EventPhase.Open && e.Category == EventCategory.Incident).ToList();
        var faultOpens = events.Where(e => e.Phase == EventPhase.Open && e.Category == EventCategory.SensorFault).ToList();
        var congestionOpens = events.Where(e => e.Phase == EventPhase.Open && e.Category == EventCategory.CongestionAhead).ToList();

        var delays = new List<double>();
        var leads = new List<double>();
        foreach (var incident in incidents)
        {
            var affected = incident.AffectedSensors.ToHashSet();
            var detected = anomalyOpens.Where(e => affected.Contains(e.Sensor.Number) && e.DetectionTime >= incident.Start && e.DetectionTime < incident.End + Grace)
                .Select(e => e.DetectionTime).DefaultIfEmpty(long.MinValue).Min();
            if (detected != long.MinValue)
            {
                delays.Add((detected - incident.Start) / (double)EventTime.MicrosPerMinute);
            }

            var warned = congestionOpens.Where(e => affected.Contains(e.Sensor.Number) && e.DetectionTime >= incident.Start - horizon && e.DetectionTime < incident.End)
                .Select(e => e.DetectionTime).DefaultIfEmpty(long.MinValue).Min();
            if (warned != long.MinValue)
            {
                leads.Add((incident.Start - warned) / (double)EventTime.MicrosPerMinute);
            }
        }

        var faultsFound = faults.Count(f => faultOpens.Any(e => e.Sensor.Number == f.Sensor && e.DetectionTime >= f.Start && e.DetectionTime < f.End + Grace));
        var falseIncidents = anomalyOpens.Count(e =>
            !city.Incidents.Any(i => i.AffectedSensors.Contains(e.Sensor.Number) && e.DetectionTime >= i.Start && e.DetectionTime < i.End + Grace)
            && !city.Faults.Any(f => f.Sensor == e.Sensor.Number && e.DetectionTime >= f.Start && e.DetectionTime < f.End + Grace));
        var falseFaults = faultOpens.Count(e => !city.Faults.Any(f => f.Sensor == e.Sensor.Number && e.DetectionTime >= f.Start && e.DetectionTime < f.End + Grace));

        log.WriteLine();
        log.WriteLine("ground truth (synthetic city, reported period)");
        log.WriteLine($"  incidents injected      {incidents.Count,8}");
        log.WriteLine($"  incidents detected      {delays.Count,8}" + Median("detection delay", delays));
        log.WriteLine($"  incidents missed        {incidents.Count - delays.Count,8}");
        log.WriteLine($"  incident false alarms   {falseIncidents,8}   (anomaly events on no incident and no fault)");
        log.WriteLine($"  congestion warned       {leads.Count,8}" + Median("lead time (negative = after onset)", leads));
        log.WriteLine($"  congestion-ahead risks  {congestionOpens.Count,8}   (includes recurring rush-hour congestion, which is real)");
        log.WriteLine($"  sensor faults injected  {faults.Count,8}");
        log.WriteLine($"  sensor faults found     {faultsFound,8}   false fault events {falseFaults}");
    }

    private static string Median(string what, List<double> minutes)
    {
        if (minutes.Count == 0)
        {
            return string.Empty;
        }

        minutes.Sort();
        return $"   median {what} {minutes[minutes.Count / 2]:0.#} min";
    }
}
