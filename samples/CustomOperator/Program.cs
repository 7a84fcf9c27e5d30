using CustomOperator;
using SmartCity.Streams.Events;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;

// A custom operator in a pipeline: a day of car-park occupancy through ParkingAvailabilityOperator (see
// docs/custom-operators.md), printing when each car park runs short of spaces and when spaces free up again.
var start = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
var names = ParkingData.CarParks.ToDictionary(p => (long)p.Id, p => p.Name);
var events = new CollectingEventSink();

var pipeline = StreamPipeline.Create(keyColumn: "car_park", timeColumn: "time", "free_share")
    .WithName("parking")
    .WithOutOfOrderness(TimeSpan.FromMinutes(5))
    .Then(new ParkingAvailabilityOperator("parking-availability", "free_share", lowAt: 0.05, freeAt: 0.20))
    .SendEventsTo(events)
    .Build();

await using var source = new InMemoryBatchSource(ParkingData.Day(start, seed: 42));
var statistics = await pipeline.RunAsync(source, lanes: 1);

Console.WriteLine($"{statistics.RowsIn:N0} readings of {names.Count} car parks on {start:yyyy-MM-dd}, every {ParkingData.Interval.TotalMinutes:0} min; " +
    "LowAvailability below 5 % free spaces, FreeSpaces again from 20 %.");
Console.WriteLine();
Console.WriteLine("time (UTC)  car park               event                       free spaces");
foreach (var e in events.Events.OrderBy(e => e.DetectionTime).ThenBy(e => e.Sensor.Number))
{
    var what = (e.Kind, e.Phase) switch
    {
        (EventKind.Risk, EventPhase.Open) => "risk: LowAvailability",
        (EventKind.Risk, EventPhase.Resolve) => "risk resolved",
        (EventKind.Opportunity, _) => "opportunity: FreeSpaces",
        _ => $"{e.Kind} {e.Phase}",
    };
    var time = SmartCity.Streams.Batches.EventTime.ToDateTimeOffset(e.DetectionTime);
    Console.WriteLine($"{time:HH:mm}       {names[e.Sensor.Number],-22} {what,-27} {e.Observed,6:P0}");
}

var risks = events.Events.Count(e => e is { Kind: EventKind.Risk, Phase: EventPhase.Open });
var opportunities = events.Events.Count(e => e is { Kind: EventKind.Opportunity, Phase: EventPhase.Open });
Console.WriteLine();
Console.WriteLine($"{risks} LowAvailability risk(s), {opportunities} FreeSpaces opportunit{(opportunities == 1 ? "y" : "ies")}.");
