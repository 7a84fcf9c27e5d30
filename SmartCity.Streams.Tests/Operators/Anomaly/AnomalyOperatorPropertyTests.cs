using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Anomaly;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>The anomaly and sensor-fault operators inside the engine: N lanes and any batching give the same rows and events as one lane.</summary>
public class AnomalyOperatorPropertyTests
{
    [Property(MaxTest = 15)]
    public Property N_lanes_and_any_batching_give_the_same_scores_flags_and_events_as_one_lane(int seed, PositiveInt size)
    {
        List<Reading> rows = Rows(seed, 200 + (size.Get % 3000));
        int lanes = 2 + (Math.Abs(seed) % 3);
        (List<string> oneRows, List<string> oneEvents) = Run(rows, [], 1);
        (List<string> manyRows, List<string> manyEvents) = Run(rows, DetectorContractTests.Cuts(seed, rows.Count), lanes);
        return (oneRows.SequenceEqual(manyRows) && oneEvents.SequenceEqual(manyEvents)).Label($"{lanes} lanes, {oneEvents.Count} events");
    }

    private static (List<string> Rows, List<string> Events) Run(List<Reading> rows, int[] cuts, int lanes)
    {
        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        PipelineRun run = StreamPipeline.Create("sensor", "time", "speed")
            .Then(new SensorFaultOperator("faults", "speed", new SensorFaultOptions { Minimum = 0, Maximum = 120 }))
            .Then(new AnomalyScoreOperator("anomaly", "speed", options: new AnomalyScoreOptions { Lifecycle = new EventLifecycleOptions { OpenThreshold = 0.5, ResolveThreshold = 0.3 } }))
            .SendEventsTo(events)
            .SendBatchesTo(sink)
            .Build()
            .CreateRun(lanes);
        foreach (var batch in TestBatches.Chunk(rows, cuts))
        {
            run.Process(batch);
        }

        run.Complete();
        var described = new List<string>(sink.Keys.Count);
        List<double> scores = sink.Values("speed_anomaly");
        List<long> flags = sink.Longs("speed_faults");
        for (int i = 0; i < sink.Keys.Count; i++)
        {
            described.Add(FormattableString.Invariant($"{sink.Sensors[i]}|{sink.Times[i]}|{scores[i]:R}|{flags[i]}"));
        }

        described.Sort(StringComparer.Ordinal);
        var eventList = events.Events.Select(e => FormattableString.Invariant($"{e.Id}|{e}")).ToList();
        eventList.Sort(StringComparer.Ordinal);
        return (described, eventList);
    }

    /// <summary>Several sensors in time order, seasonal speed with injected drops, stuck runs, missing values and silences.</summary>
    private static List<Reading> Rows(int seed, int steps)
    {
        var random = new Random(seed);
        int sensors = 2 + (Math.Abs(seed) % 6);
        var series = Enumerable.Range(0, sensors).Select(k => SyntheticSeries.Seasonal(steps, seed + k)).ToArray();
        var rows = new List<Reading>(steps * sensors);
        for (int i = 0; i < steps; i++)
        {
            long t = SyntheticSeries.Start + (i * SyntheticSeries.Step);
            for (int k = 0; k < sensors; k++)
            {
                if (random.Next(200) == 0)
                {
                    continue; // a silent step
                }

                double v = series[k][i];
                int r = random.Next(100);
                v = r == 0 ? double.NaN : r == 1 ? v - 30 : r == 2 ? 200 : v;
                rows.Add(new Reading(k, t, v));
            }
        }

        return rows;
    }
}
