using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Anomaly;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>End to end against the synthetic city's ground truth: injected incidents and sensor faults versus the events opened.</summary>
public class SyntheticCityDetectionTests
{
    private static readonly long Grace = 15 * EventTime.MicrosPerMinute;

    [Fact]
    public async Task Incidents_after_the_warm_up_day_and_every_sensor_fault_are_reported_with_few_false_alarms()
    {
        const int sensors = 300;
        const double days = 3;
        var city = new SyntheticCitySource(new SyntheticCityOptions { Sensors = sensors, Duration = TimeSpan.FromDays(days), Interval = TimeSpan.FromMinutes(1), Seed = 11, Partitions = 2 });
        var events = new CollectingEventSink();
        StreamPipeline pipeline = StreamPipeline.Create("sensor", "time", "speed")
            .WithOutOfOrderness(TimeSpan.FromMinutes(1))
            .Then(new SensorFaultOperator("faults", "speed", new SensorFaultOptions { Minimum = 0, Maximum = 160 }))
            .Then(new AnomalyScoreOperator("incidents", "speed", options: new AnomalyScoreOptions { Category = EventCategory.Incident }))
            .SendEventsTo(events)
            .Build();
        await pipeline.RunAsync(city, 2);

        long warmedUp = city.TimeOf(0) + EventTime.MicrosPerDay;
        var opens = events.Events.Where(e => e.Phase == EventPhase.Open).ToList();
        var incidents = city.Incidents.Where(i => i.Start >= warmedUp).ToList();
        Assert.NotEmpty(incidents);
        foreach (SyntheticIncident incident in incidents)
        {
            Assert.Contains(opens, e => e.Category == EventCategory.Incident && incident.AffectedSensors.Contains(e.Sensor.Number)
                && e.DetectionTime >= incident.Start && e.DetectionTime <= incident.Start + Grace);
        }

        Assert.NotEmpty(city.Faults);
        foreach (SyntheticFault fault in city.Faults)
        {
            Assert.Contains(opens, e => e.Category == EventCategory.SensorFault && e.Sensor.Number == fault.Sensor
                && e.DetectionTime >= fault.Start && e.DetectionTime < fault.End + Grace);
        }

        Assert.DoesNotContain(opens, e => e.Category == EventCategory.SensorFault && !city.Faults.Any(f => f.Sensor == e.Sensor.Number && e.DetectionTime >= f.Start && e.DetectionTime < f.End + Grace));
        int falseAlarms = opens.Count(e => e.Category == EventCategory.Incident
            && !city.Incidents.Any(i => i.AffectedSensors.Contains(e.Sensor.Number) && e.DetectionTime >= i.Start && e.DetectionTime < i.End + Grace)
            && !city.Faults.Any(f => f.Sensor == e.Sensor.Number && e.DetectionTime >= f.Start && e.DetectionTime < f.End + Grace));
        double perSensorDay = falseAlarms / (sensors * (days - 1));
        Assert.True(perSensorDay < 0.2, $"{falseAlarms} false incident events, {perSensorDay:F3} per sensor-day");
    }
}
