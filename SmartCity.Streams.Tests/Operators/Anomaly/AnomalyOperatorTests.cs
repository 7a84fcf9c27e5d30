using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Anomaly;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

public class AnomalyOperatorTests
{
    private const int PerDay = 288;

    [Fact]
    public void An_incident_is_one_event_that_opens_within_fifteen_minutes_and_resolves_and_clean_sensors_raise_none()
    {
        const int days = 21;
        int onset = (16 * PerDay) + 120;
        List<Reading> rows = ThreeSensors(days, onset, onsetLength: 24, drop: 25);
        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        PipelineRun run = StreamPipeline.Create("sensor", "time", "speed")
            .Then(new AnomalyScoreOperator("incidents", "speed", options: new AnomalyScoreOptions { Category = EventCategory.Incident }))
            .SendEventsTo(events)
            .SendBatchesTo(sink)
            .Build()
            .CreateRun();
        foreach (var batch in TestBatches.Chunk(rows, Enumerable.Range(1, rows.Count / 1000).Select(i => i * 1000)))
        {
            run.Process(batch);
        }

        run.Complete();
        long weekThree = SyntheticSeries.Start + (14 * EventTime.MicrosPerDay);
        long onsetTime = SyntheticSeries.Start + (onset * SyntheticSeries.Step);
        var late = events.Events.Where(e => e.DetectionTime >= weekThree).ToList();
        Assert.All(late, e => Assert.Equal(new SensorId(1), e.Sensor));
        var opens = late.Where(e => e.Phase == EventPhase.Open).ToList();
        CityEvent open = Assert.Single(opens);
        Assert.Equal(EventCategory.Incident, open.Category);
        Assert.Equal(EventKind.Risk, open.Kind);
        Assert.InRange(open.DetectionTime - onsetTime, 0, 15 * EventTime.MicrosPerMinute);
        Assert.Contains(late, e => e.Phase == EventPhase.Resolve && e.EventTime == open.EventTime);
        Assert.Equal(rows.Count, sink.Values("speed_anomaly").Count);
        Assert.All(sink.Values("speed_anomaly"), s => Assert.InRange(s, 0, 1));
    }

    [Fact]
    public void The_score_column_equals_the_detector_run_directly()
    {
        List<Reading> rows = ThreeSensors(3, -1, 0, 0);
        var sink = new CollectingBatchSink();
        PipelineRun run = StreamPipeline.Create("sensor", "time", "speed")
            .Then(new AnomalyScoreOperator("robust", "speed", () => new RobustZScoreDetector(), new AnomalyScoreOptions { OutputColumn = "score", EmitEvents = false }))
            .SendBatchesTo(sink)
            .Build()
            .CreateRun();
        foreach (var batch in TestBatches.Chunk(rows, [100, 777, 2000]))
        {
            run.Process(batch);
        }

        run.Complete();
        var detector = new RobustZScoreDetector();
        var expected = new double[rows.Count];
        // The pipeline's dense keys follow first appearance: sensors 0, 1, 2 appear in that order.
        detector.Score(rows.Select(r => r.Key).ToArray(), rows.Select(r => r.Time).ToArray(), rows.Select(r => r.Value).ToArray(), expected);
        Assert.Equal(expected, sink.Values("score"));
    }

    [Fact]
    public void Snapshot_and_restore_mid_stream_gives_the_same_events_and_scores()
    {
        List<Reading> rows = ThreeSensors(17, (16 * PerDay) + 120, 24, 25);
        List<RecordBatch> batches = TestBatches.Chunk(rows, Enumerable.Range(1, rows.Count / 997).Select(i => i * 997));
        (List<CityEvent> expectedEvents, List<double> expectedScores) = RunAll(batches, -1);
        (List<CityEvent> events, List<double> scores) = RunAll(batches, batches.Count / 2);
        Assert.Equal(expectedEvents, events);
        Assert.Equal(expectedScores, scores);
    }

    [Fact]
    public void A_silent_sensor_raises_a_sensor_fault_from_the_watermark_and_resolves_when_it_returns()
    {
        var rows = new List<Reading>();
        for (int i = 0; i < 200; i++)
        {
            long t = SyntheticSeries.Start + (i * SyntheticSeries.Step);
            rows.Add(new Reading(0, t, 50 + (i % 7)));
            if (i < 100 || i >= 150)
            {
                rows.Add(new Reading(1, t, 40 + (i % 5)));
            }
        }

        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        PipelineRun run = StreamPipeline.Create("sensor", "time", "speed")
            .Then(new SensorFaultOperator("faults", "speed", new SensorFaultOptions { Minimum = 0, Maximum = 130 }))
            .SendEventsTo(events)
            .SendBatchesTo(sink)
            .Build()
            .CreateRun();
        // One batch per reading, so the watermark advances every 5 minutes (the detection delay is the gap threshold
        // plus the watermark's granularity).
        foreach (var batch in TestBatches.Chunk(rows, Enumerable.Range(1, rows.Count - 1)))
        {
            run.Process(batch);
        }

        run.Complete();
        long lastSeen = SyntheticSeries.Start + (99 * SyntheticSeries.Step);
        long back = SyntheticSeries.Start + (150 * SyntheticSeries.Step);
        var faults = events.Events.Where(e => e.Category == EventCategory.SensorFault).ToList();
        Assert.Equal(2, faults.Count);
        Assert.Equal(EventPhase.Open, faults[0].Phase);
        Assert.Equal(new SensorId(1), faults[0].Sensor);
        Assert.True(double.IsNaN(faults[0].Observed));
        // Reported once the watermark is more than 3 intervals past the last reading: by the 4th missed interval.
        Assert.InRange(faults[0].DetectionTime - lastSeen, (3 * SyntheticSeries.Step) + 1, 4 * SyntheticSeries.Step);
        Assert.Equal(EventPhase.Resolve, faults[1].Phase);
        // The first reading back is itself flagged (it ends a gap); the next healthy one resolves.
        Assert.Equal(back + SyntheticSeries.Step, faults[1].DetectionTime);
        Assert.Contains(sink.Longs("speed_faults"), f => f == (long)SensorFaults.Missing);
    }

    [Fact]
    public void Bad_configuration_fails_at_build_with_a_clear_message()
    {
        Assert.Throws<PipelineConfigurationException>(() => new AnomalyScoreOperator("a", " "));
        Assert.Throws<PipelineConfigurationException>(() => new AnomalyScoreOperator("a", "speed", options: new AnomalyScoreOptions
        {
            Lifecycle = new EventLifecycleOptions { OpenThreshold = 0.3, ResolveThreshold = 0.6 },
        }));
        Assert.Throws<PipelineConfigurationException>(() => new SensorFaultOperator("f", "speed", new SensorFaultOptions { Minimum = 10, Maximum = 0 }));
        var error = Assert.Throws<PipelineConfigurationException>(() => StreamPipeline.Create("sensor", "time", "speed")
            .Then(new AnomalyScoreOperator("a", "flow"))
            .Build());
        Assert.Contains("flow", error.Message, StringComparison.Ordinal);
    }

    private static (List<CityEvent> Events, List<double> Scores) RunAll(List<RecordBatch> batches, int restoreAt)
    {
        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        StreamPipeline pipeline = StreamPipeline.Create("sensor", "time", "speed")
            .Then(new AnomalyScoreOperator("incidents", "speed"))
            .SendEventsTo(events)
            .SendBatchesTo(sink)
            .Build();
        PipelineRun run = pipeline.CreateRun();
        for (int b = 0; b < batches.Count; b++)
        {
            if (b == restoreAt)
            {
                using var state = new MemoryStream();
                run.SaveState(state);
                state.Position = 0;
                var fresh = pipeline.CreateRun();
                fresh.RestoreState(state);
                run = fresh;
            }

            run.Process(batches[b]);
        }

        run.Complete();
        return ([.. events.Events], sink.Values("speed_anomaly"));
    }

    /// <summary>Three sensors every 5 minutes; sensor 1 drops by <paramref name="drop"/> mph for <paramref name="onsetLength"/> readings from <paramref name="onset"/>.</summary>
    private static List<Reading> ThreeSensors(int days, int onset, int onsetLength, double drop)
    {
        int n = days * PerDay;
        double[][] values = [SyntheticSeries.Seasonal(n, 11), SyntheticSeries.Seasonal(n, 12), SyntheticSeries.Seasonal(n, 13)];
        var rows = new List<Reading>(3 * n);
        for (int i = 0; i < n; i++)
        {
            long t = SyntheticSeries.Start + (i * SyntheticSeries.Step);
            for (int k = 0; k < 3; k++)
            {
                double v = values[k][i];
                if (k == 1 && onset >= 0 && i >= onset && i < onset + onsetLength)
                {
                    v -= drop;
                }

                rows.Add(new Reading(k, t, v));
            }
        }

        return rows;
    }
}
