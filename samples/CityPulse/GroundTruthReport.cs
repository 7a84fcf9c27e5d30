using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Sources;

namespace CityPulse;

/// <summary>
/// Compares the events a run opened with what the synthetic city injected: incidents detected (and after how
/// long), incidents missed, events explained by an injected sensor fault, and false alarms.
/// </summary>
internal static class GroundTruthReport
{
    private static readonly long Grace = EventTime.MicrosPerMinute * 15;

    public static void Write(IReadOnlyList<CityEvent> events, SyntheticCitySource city, TextWriter log)
    {
        var opens = events.Where(e => e.Phase == EventPhase.Open && e.Kind == EventKind.Risk).ToList();
        var delays = new List<double>();
        var missed = 0;
        foreach (var incident in city.Incidents)
        {
            var affected = incident.AffectedSensors.ToHashSet();
            var first = opens
                .Where(e => !e.Sensor.IsString && affected.Contains(e.Sensor.Number) && e.DetectionTime >= incident.Start && e.DetectionTime < incident.End + Grace)
                .Select(e => e.DetectionTime)
                .DefaultIfEmpty(long.MinValue)
                .Min();
            if (first == long.MinValue)
            {
                missed++;
            }
            else
            {
                delays.Add((first - incident.Start) / (double)EventTime.MicrosPerMinute);
            }
        }

        int explainedByIncident = 0, explainedByFault = 0, falseAlarms = 0;
        foreach (var e in opens)
        {
            if (city.Incidents.Any(i => i.AffectedSensors.Contains(e.Sensor.Number) && e.DetectionTime >= i.Start && e.DetectionTime < i.End + Grace))
            {
                explainedByIncident++;
            }
            else if (city.Faults.Any(f => f.Sensor == e.Sensor.Number && e.DetectionTime >= f.Start && e.DetectionTime < f.End + Grace))
            {
                explainedByFault++;
            }
            else
            {
                falseAlarms++;
            }
        }

        delays.Sort();
        log.WriteLine();
        log.WriteLine("ground truth (synthetic city)");
        log.WriteLine($"  incidents injected      {city.Incidents.Count,8}");
        log.WriteLine($"  incidents detected      {city.Incidents.Count - missed,8}" + (delays.Count > 0 ? $"   median delay {delays[delays.Count / 2]:0.#} min, max {delays[^1]:0.#} min" : string.Empty));
        log.WriteLine($"  incidents missed        {missed,8}");
        log.WriteLine($"  sensor faults injected  {city.Faults.Count,8}");
        log.WriteLine($"  risk events opened      {opens.Count,8}   at an incident {explainedByIncident}, at a sensor fault {explainedByFault}, false alarms {falseAlarms}");
    }
}
