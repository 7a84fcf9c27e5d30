using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Pipeline;

/// <summary>Runs the reference EWMA → z-score threshold pipeline over rows and returns comparable results.</summary>
internal static class PipelineHarness
{
    public static PipelineBuilder Builder(IEventSink events, CollectingBatchSink? rows) =>
        Attach(StreamPipeline.Create("sensor", "time", "speed")
            .WithOutOfOrderness(TimeSpan.FromSeconds(5))
            .Ewma("speed", new EwmaOptions { Alpha = 0.2, WarmUp = 3 })
            .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = 2.5, ResolveAt = 1, Cooldown = TimeSpan.FromSeconds(2) })
            .SendEventsTo(events), rows);

    public static List<Reading> RandomRows(int seed, int count, int keys)
    {
        var random = new Random(seed);
        var rows = new List<Reading>(count);
        long time = 1_700_000_000_000_000;
        for (var i = 0; i < count; i++)
        {
            time += random.Next(0, 400_000);
            var jitter = random.Next(0, 4_000_000); // within the 5 s bound
            var value = random.Next(20) == 0 ? 10 + (random.NextDouble() * 5) : 60 + (random.NextDouble() * 5);
            if (random.Next(50) == 0)
            {
                value = double.NaN;
            }

            rows.Add(new Reading(random.Next(keys), time - jitter, value));
        }

        return rows;
    }

    public static List<int> RandomCuts(int seed, int count)
    {
        var random = new Random(seed ^ 0x5bd1e995);
        var cuts = new List<int>();
        var n = random.Next(0, 12);
        for (var i = 0; i < n; i++)
        {
            cuts.Add(random.Next(1, Math.Max(2, count)));
        }

        return cuts;
    }

    public static (List<string> Rows, List<string> Events) Run(IReadOnlyList<Reading> rows, IEnumerable<int> cuts, int lanes)
    {
        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        var run = Builder(events, sink).Build().CreateRun(lanes);
        foreach (var batch in TestBatches.Chunk(rows, cuts))
        {
            run.Process(batch);
        }

        run.Complete();
        return (Describe(sink), Describe(events.Events));
    }

    public static List<string> Describe(CollectingBatchSink sink)
    {
        var rows = new List<string>(sink.Keys.Count);
        for (var i = 0; i < sink.Keys.Count; i++)
        {
            rows.Add(FormattableString.Invariant($"{sink.Sensors[i]}|{sink.Times[i]}|{sink.Values("speed")[i]:R}|{sink.Values("speed_mean")[i]:R}|{sink.Values("speed_z")[i]:R}"));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    public static List<string> Describe(IEnumerable<CityEvent> events)
    {
        var list = events.Select(e => FormattableString.Invariant($"{e.Id}|{e}")).ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    private static PipelineBuilder Attach(PipelineBuilder builder, CollectingBatchSink? rows) => rows is null ? builder : builder.SendBatchesTo(rows);
}
