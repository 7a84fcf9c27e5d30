using SmartCity.Streams.Operators.Windowing;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>Runs a window pipeline over batches of readings and checks it against <see cref="WindowReference"/>.</summary>
internal sealed class WindowHarness
{
    public WindowHarness(WindowSpec spec, long bound, WindowOptions options)
    {
        Spec = spec;
        Bound = bound;
        Options = options;
    }

    public WindowSpec Spec { get; }

    public long Bound { get; }

    public WindowOptions Options { get; }

    /// <summary>The pipeline's clock, when the test drives processing time.</summary>
    public ManualTimeProvider? Clock { get; init; }

    /// <summary>How far <see cref="Clock"/> moves before each batch (cycled).</summary>
    public IReadOnlyList<TimeSpan> ClockSteps { get; init; } = [];

    public WindowCollector Results { get; } = new();

    public LateCollector LateRows { get; } = new();

    public StreamPipeline Build() =>
        StreamPipeline.Create("sensor", "time", WindowTestData.Speed, WindowTestData.Occupancy)
            .WithOutOfOrderness(TimeSpan.FromTicks(Bound * 10))
            .WithTimeProvider(Clock ?? TimeProvider.System)
            .Window(Spec, Options, WindowTestData.Measures)
            .SendBatchesTo(Results)
            .SendLateRowsTo(LateRows)
            .Build();

    /// <summary>Processes every batch; with <paramref name="snapshotAfter"/> ≥ 0, saves and restores into a fresh run there.</summary>
    public void Run(List<List<Reading>> batches, int lanes = 1, int snapshotAfter = -1)
    {
        var pipeline = Build();
        var run = pipeline.CreateRun(lanes);
        for (var b = 0; b < batches.Count; b++)
        {
            if (b == snapshotAfter)
            {
                using var state = new MemoryStream();
                run.SaveState(state);
                state.Position = 0;
                var fresh = pipeline.CreateRun(lanes);
                fresh.RestoreState(state);
                run = fresh;
            }

            if (Clock is not null && ClockSteps.Count > 0)
            {
                Clock.Advance(ClockSteps[b % ClockSteps.Count]);
            }

            run.Process(WindowTestData.Batch(batches[b]));
        }

        run.Complete();
    }

    public WindowReference Reference(List<List<Reading>> batches)
    {
        var reference = new WindowReference(Spec, Bound, Lateness);
        foreach (var batch in batches)
        {
            reference.Batch(batch);
        }

        return reference;
    }

    public long Lateness => Options.AllowedLateness.Ticks / 10;

    /// <summary>Asserts that the final result of every window equals the reference, and the late rows too.</summary>
    public void AssertMatches(WindowReference reference)
    {
        var expected = reference.Windows();
        if (Spec.Kind == WindowKind.Global)
        {
            var final = Results.Rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last());
            Assert.Equal(expected.Count, final.Count);
            foreach (var (id, rows) in expected)
            {
                var row = final[id.Key];
                Assert.Equal(rows.Min(r => r.Time), row.Start);
                Assert.Equal(rows.Max(r => r.Time) + 1, row.End);
                ReferenceAggregates.AssertMatches(row, rows, Options.SketchRelativeAccuracy);
            }
        }
        else
        {
            var final = Results.Final();
            if (Spec.Kind == WindowKind.Session)
            {
                // A session emitted earlier and then merged into another keeps its old row; a later result of
                // the same key must cover it. Sessions that were closed never merge, so they stay exact.
                foreach (var id in final.Keys.Except(expected.Keys).ToList())
                {
                    var index = Results.Rows.FindLastIndex(r => r.Key == id.Key && r.Start == id.Start);
                    Assert.Contains(Results.Rows.Skip(index + 1), r => r.Key == id.Key && r.Start <= id.Start && id.Start < r.End);
                    final.Remove(id);
                }
            }

            Assert.Equal(expected.Keys.OrderBy(k => k), final.Keys.OrderBy(k => k));
            foreach (var (id, rows) in expected)
            {
                var row = final[id];
                var end = Spec.Kind == WindowKind.Session ? reference.SessionEnd(id) : id.Start + Spec.Size;
                Assert.Equal(end, row.End);
                ReferenceAggregates.AssertMatches(row, rows, Options.SketchRelativeAccuracy);
            }
        }

        Assert.Equal(
            reference.Late.Select(r => (r.Sensor, r.Time)).OrderBy(x => x),
            LateRows.Rows.Select(r => ((int)r.Key, r.Time)).OrderBy(x => x));
    }
}
