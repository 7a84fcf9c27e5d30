using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Basic;

public class EwmaOperatorTests
{
    [Fact]
    public void Matches_the_reference_per_sensor()
    {
        var rows = new List<Reading>();
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            rows.Add(new Reading(random.Next(7), i * 1000L, 50 + (random.NextDouble() * 10)));
        }

        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed").Ewma("speed", new EwmaOptions { Alpha = 0.2, WarmUp = 3 }).SendBatchesTo(sink).Build().CreateRun();
        foreach (var batch in TestBatches.Chunk(rows, [100, 250, 251]))
        {
            run.Process(batch);
        }

        var expected = EwmaReference.Run(rows, 0.2, 3);
        Assert.Equal(rows.Count, sink.Keys.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i].Mean, sink.Values("speed_mean")[i], 12);
            Assert.Equal(expected[i].Std, sink.Values("speed_std")[i], 12);
            Assert.Equal(expected[i].Z, sink.Values("speed_z")[i], 12);
        }
    }

    [Fact]
    public void Non_finite_values_are_skipped_counted_and_leave_state_unchanged()
    {
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed").Ewma("speed", new EwmaOptions { Alpha = 0.5, WarmUp = 1 }).SendBatchesTo(sink).Build().CreateRun();
        run.Process(TestBatches.Readings([1, 1, 1, 1], [0, 1, 2, 3], [10, double.NaN, double.PositiveInfinity, 20]));

        Assert.Equal([10.0, double.NaN, double.NaN, 15.0], sink.Values("speed_mean"));
        Assert.Equal(2, run.Statistics.ValuesSkipped);
    }

    [Fact]
    public void Z_score_threshold_emits_one_open_and_one_resolve_per_incident()
    {
        var events = new CollectingEventSink();
        var run = StreamPipeline.Create("sensor", "time", "speed")
            .Ewma("speed", new EwmaOptions { Alpha = 0.1, WarmUp = 5 })
            .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = -4, ResolveAt = -1, Direction = ThresholdDirection.Below, Category = EventCategory.Incident })
            .SendEventsTo(events)
            .Build()
            .CreateRun();

        var random = new Random(1);
        var keys = new int[300];
        var times = new long[300];
        var values = new double[300];
        for (var i = 0; i < 300; i++)
        {
            times[i] = i * 60_000_000L;
            values[i] = (i is >= 200 and < 205 ? 20 : 90) + random.NextDouble();
        }

        run.Process(TestBatches.Readings(keys, times, values));
        run.Complete();

        Assert.Equal(2, events.Events.Count);
        Assert.Equal(EventPhase.Open, events.Events[0].Phase);
        Assert.Equal(200 * 60_000_000L, events.Events[0].EventTime);
        Assert.Equal(EventKind.Risk, events.Events[0].Kind);
        Assert.Equal(EventCategory.Incident, events.Events[0].Category);
        Assert.Equal(EventPhase.Resolve, events.Events[1].Phase);
        Assert.True(events.Events[1].DetectionTime > events.Events[0].DetectionTime);
        Assert.True(events.IsCompleted);
    }
}
