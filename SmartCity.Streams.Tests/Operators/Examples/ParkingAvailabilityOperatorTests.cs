using CustomOperator;
using SmartCity.Streams.Events;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Examples;

public class ParkingAvailabilityOperatorTests
{
    [Fact]
    public void Low_availability_opens_once_and_recovery_announces_free_spaces()
    {
        var events = new CollectingEventSink();
        var run = StreamPipeline.Create("sensor", "time", "speed") // "speed" carries the free share in this test batch
            .Then(new ParkingAvailabilityOperator("parking", "speed"))
            .SendEventsTo(events)
            .Build()
            .CreateRun();

        const long minute = 60_000_000;
        run.Process(TestBatches.Readings([7, 7, 7, 7, 7, 7], [0, minute, 2 * minute, 3 * minute, 4 * minute, 5 * minute], [0.5, 0.04, 0.03, 0.10, 0.25, 0.30]));

        Assert.Collection(events.Events,
            e => Assert.Equal((EventKind.Risk, EventPhase.Open, minute), (e.Kind, e.Phase, e.EventTime)),
            e => Assert.Equal((EventKind.Risk, EventPhase.Resolve, minute), (e.Kind, e.Phase, e.EventTime)),
            e => Assert.Equal((EventKind.Opportunity, EventPhase.Open, 4 * minute), (e.Kind, e.Phase, e.EventTime)));
    }

    [Fact]
    public void Bad_thresholds_fail_at_construction_with_the_reason()
    {
        var error = Assert.Throws<Streams.Batches.PipelineConfigurationException>(() => new ParkingAvailabilityOperator("p", "free", lowAt: 0.3, freeAt: 0.2));
        Assert.Contains("lowAt < freeAt", error.Message, StringComparison.Ordinal);
    }
}
