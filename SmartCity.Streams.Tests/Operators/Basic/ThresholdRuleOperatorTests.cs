using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Testing;
using SmartCity.Streams.Tests.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Basic;

public class ThresholdRuleOperatorTests
{
    private const long Minute = EventTime.MicrosPerMinute;

    private static readonly ThresholdRuleOptions SlowForFiveMinutes = new()
    {
        Column = "speed",
        Threshold = 20,
        ResolveAt = 30,
        Direction = ThresholdDirection.Below,
        OpenAfter = TimeSpan.FromMinutes(5),
        Category = EventCategory.Incident,
    };

    [Fact]
    public void Speed_below_the_threshold_for_the_sustain_time_is_one_event_and_a_short_dip_is_none()
    {
        // One reading a minute: a 3-minute dip (no event), then a 10-minute one from minute 20.
        var speeds = new double[40];
        for (var m = 0; m < speeds.Length; m++)
        {
            speeds[m] = m is >= 5 and < 8 || m is >= 20 and < 30 ? 12 : 50;
        }

        var events = Run(SlowForFiveMinutes, speeds, batchRows: 7);

        Assert.Collection(
            events,
            open =>
            {
                Assert.Equal(EventPhase.Open, open.Phase);
                Assert.Equal(EventCategory.Incident, open.Category);
                Assert.Equal(20 * Minute, open.EventTime);     // the onset
                Assert.Equal(25 * Minute, open.DetectionTime); // five minutes later
                Assert.Equal(12, open.Observed);
            },
            resolve =>
            {
                Assert.Equal(EventPhase.Resolve, resolve.Phase);
                Assert.Equal(20 * Minute, resolve.EventTime);
                Assert.Equal(30 * Minute, resolve.DetectionTime);
            });
    }

    [Fact]
    public void Without_a_sustain_time_the_first_slow_reading_opens()
    {
        var speeds = new double[10];
        speeds.AsSpan().Fill(50);
        speeds[4] = 12;

        var events = Run(SlowForFiveMinutes with { OpenAfter = TimeSpan.Zero }, speeds, batchRows: 3);

        Assert.Equal([EventPhase.Open, EventPhase.Resolve], events.Select(e => e.Phase));
        Assert.Equal(4 * Minute, events[0].EventTime);
        Assert.Equal(4 * Minute, events[0].DetectionTime);
    }

    [Fact]
    public void A_sustained_rule_passes_the_operator_contract()
    {
        var batches = TestBatches.Chunk(PipelineHarness.RandomRows(23, 3_000, 40), [700, 1500, 2200]);
        var rule = new ThresholdRuleOptions
        {
            Column = "speed_z", Threshold = -1.5, ResolveAt = -0.5, Direction = ThresholdDirection.Below,
            OpenAfter = TimeSpan.FromSeconds(5), Cooldown = TimeSpan.FromSeconds(1),
        };
        PipelineBuilder Configure(PipelineBuilder b) => b.Ewma("speed", new EwmaOptions { Alpha = 0.2, WarmUp = 3 }).Threshold(rule);

        // The data must exercise the rule: some slow runs are sustained, more are not.
        var events = new CollectingEventSink();
        using (var run = Configure(StreamPipeline.Create("sensor", "time", "speed").WithOutOfOrderness(TimeSpan.FromSeconds(5))).SendEventsTo(events).Build().CreateRun())
        {
            foreach (var batch in batches)
            {
                run.Process(batch);
            }

            run.Complete();
        }

        var opened = events.Events.Count(e => e.Phase == EventPhase.Open);
        Assert.InRange(opened, 3, 200);
        Assert.Contains(events.Events, e => e.Phase == EventPhase.Open && e.DetectionTime > e.EventTime);

        new OperatorContract(new InputBinding("sensor", "time", ["speed"]), Configure) { OutOfOrderness = TimeSpan.FromSeconds(5) }.AssertAll(batches);
    }

    [Fact]
    public void A_negative_sustain_time_is_rejected_when_the_rule_is_created()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() => new ThresholdRuleOperator("slow", SlowForFiveMinutes with { OpenAfter = TimeSpan.FromMinutes(-1) }));
        Assert.Contains("Threshold rule 'slow'", error.Message, StringComparison.Ordinal);
        Assert.Contains("OpenAfter", error.Message, StringComparison.Ordinal);
    }

    private static List<CityEvent> Run(ThresholdRuleOptions options, double[] speeds, int batchRows)
    {
        var events = new CollectingEventSink();
        using var run = StreamPipeline.Create("sensor", "time", "speed").Threshold(options).SendEventsTo(events).Build().CreateRun();
        for (var start = 0; start < speeds.Length; start += batchRows)
        {
            var count = Math.Min(batchRows, speeds.Length - start);
            var keys = new int[count];
            var times = new long[count];
            for (var i = 0; i < count; i++)
            {
                times[i] = (start + i) * Minute;
            }

            run.Process(TestBatches.Readings(keys, times, speeds.AsSpan(start, count)));
        }

        run.Complete();
        return [.. events.Events];
    }
}
