using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.Streams.Operators.Windowing;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>
/// Every window kind against the plain reference model, for random streams with random out-of-orderness
/// and random batch boundaries.
/// </summary>
public sealed class WindowPropertyTests
{
    private const long Second = 1_000_000;

    public static IEnumerable<object[]> Kinds() =>
    [
        [WindowKind.Tumbling],
        [WindowKind.Hopping],
        [WindowKind.Session],
        [WindowKind.Global],
    ];

    [Property(MaxTest = 40)]
    public void Tumbling_in_bound_equals_reference(int seed) => InBound(seed, WindowKind.Tumbling);

    [Property(MaxTest = 40)]
    public void Hopping_in_bound_equals_reference(int seed) => InBound(seed, WindowKind.Hopping);

    [Property(MaxTest = 40)]
    public void Session_in_bound_equals_reference(int seed) => InBound(seed, WindowKind.Session);

    [Property(MaxTest = 40)]
    public void Global_in_bound_equals_reference(int seed) => InBound(seed, WindowKind.Global);

    [Property(MaxTest = 40)]
    public void Tumbling_late_rows_are_exactly_the_reference_ones(int seed) => WithLateRows(seed, WindowKind.Tumbling);

    [Property(MaxTest = 40)]
    public void Hopping_late_rows_are_exactly_the_reference_ones(int seed) => WithLateRows(seed, WindowKind.Hopping);

    [Property(MaxTest = 40)]
    public void Session_late_rows_are_exactly_the_reference_ones(int seed) => WithLateRows(seed, WindowKind.Session);

    [Property(MaxTest = 25)]
    public Property Snapshot_restore_mid_stream_changes_nothing(int seed, PositiveInt cut)
    {
        foreach (var kind in new[] { WindowKind.Tumbling, WindowKind.Hopping, WindowKind.Session, WindowKind.Global })
        {
            var random = new Random(seed);
            var (spec, options) = Configure(random, kind, late: true);
            var batches = WindowTestData.Split(random, WindowTestData.Stream(random, 200, 4, Second, 5 * Second, 0.2, 120 * Second), 25);
            var whole = new WindowHarness(spec, 5 * Second, options);
            whole.Run(batches);
            var resumed = new WindowHarness(spec, 5 * Second, options);
            resumed.Run(batches, snapshotAfter: cut.Get % batches.Count);
            AssertSameRows(whole.Results.Rows, resumed.Results.Rows);
            Assert.Equal(whole.LateRows.Rows.Count, resumed.LateRows.Rows.Count);
        }

        return true.ToProperty();
    }

    [Property(MaxTest = 25)]
    public void Three_lanes_equal_one_lane(int seed)
    {
        foreach (var kind in new[] { WindowKind.Tumbling, WindowKind.Hopping, WindowKind.Session, WindowKind.Global })
        {
            var random = new Random(seed);
            var (spec, options) = Configure(random, kind, late: true);
            var batches = WindowTestData.Split(random, WindowTestData.Stream(random, 250, 7, Second, 5 * Second, 0.2, 120 * Second), 30);
            var one = new WindowHarness(spec, 5 * Second, options);
            one.Run(batches, lanes: 1);
            var three = new WindowHarness(spec, 5 * Second, options);
            three.Run(batches, lanes: 3);
            Assert.True(one.Results.Rows.Count == three.Results.Rows.Count, $"{kind}: {one.Results.Rows.Count} rows on one lane, {three.Results.Rows.Count} on three");
            AssertSameRows(
                [.. one.Results.Rows.OrderBy(r => r.Key).ThenBy(r => r.Start).ThenBy(r => r.End).ThenBy(r => r.Count)],
                [.. three.Results.Rows.OrderBy(r => r.Key).ThenBy(r => r.Start).ThenBy(r => r.End).ThenBy(r => r.Count)]);
            Assert.Equal(one.LateRows.Rows.Count, three.LateRows.Rows.Count);
        }
    }

    [Property(MaxTest = 10)]
    public void Threaded_lanes_equal_the_synchronous_run(int seed)
    {
        foreach (var kind in new[] { WindowKind.Tumbling, WindowKind.Hopping, WindowKind.Session })
        {
            var random = new Random(seed);
            var (spec, options) = Configure(random, kind, late: false);
            var batches = WindowTestData.Split(random, WindowTestData.Stream(random, 400, 9, Second, 5 * Second), 40);
            var sync = new WindowHarness(spec, 5 * Second, options);
            sync.Run(batches);
            var threaded = new WindowHarness(spec, 5 * Second, options);
            using var source = new SmartCity.Streams.Sources.InMemoryBatchSource([.. batches.Select(WindowTestData.Batch)]);
            threaded.Build().RunAsync(source, lanes: 2).GetAwaiter().GetResult();
            var expected = sync.Results.Final();
            var actual = threaded.Results.Final();
            Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
            foreach (var (id, row) in expected)
            {
                Assert.Equal(row.Count, actual[id].Count);
                Assert.Equal(row.Values["speed_mean"], actual[id].Values["speed_mean"], 1e-9);
                Assert.Equal(row.Values["speed_p95"], actual[id].Values["speed_p95"]);
            }
        }
    }

    internal static (WindowSpec Spec, WindowOptions Options) Configure(Random random, WindowKind kind, bool late)
    {
        var spec = kind switch
        {
            WindowKind.Tumbling => WindowSpec.Tumbling(TimeSpan.FromSeconds(random.Next(5, 40)), TimeSpan.FromSeconds(random.Next(0, 5))),
            WindowKind.Hopping => Hopping(random),
            WindowKind.Session => WindowSpec.Session(TimeSpan.FromSeconds(random.Next(2, 15))),
            _ => WindowSpec.Global(),
        };
        var options = new WindowOptions
        {
            AllowedLateness = late ? TimeSpan.FromSeconds(random.Next(0, 30)) : TimeSpan.Zero,
            SketchBucketCount = 1024,
        };
        return (spec, options);
    }

    private static WindowSpec Hopping(Random random)
    {
        var hop = random.Next(2, 12);
        var size = hop * random.Next(1, 5) + (random.Next(2) == 0 ? 0 : random.Next(1, hop));
        return WindowSpec.Hopping(TimeSpan.FromSeconds(size), TimeSpan.FromSeconds(hop), TimeSpan.FromSeconds(random.Next(0, hop)));
    }

    private static void InBound(int seed, WindowKind kind)
    {
        var random = new Random(seed);
        var (spec, options) = Configure(random, kind, late: false);
        var bound = random.NextInt64(0, 10) * Second;
        var batches = WindowTestData.Split(random, WindowTestData.Stream(random, random.Next(0, 300), random.Next(1, 6), 2 * Second, bound, badFraction: 0.05), random.Next(1, 40));
        var harness = new WindowHarness(spec, bound, options);
        harness.Run(batches);
        var reference = harness.Reference(batches);
        harness.AssertMatches(reference);
        Assert.Empty(harness.LateRows.Rows);
        if (kind != WindowKind.Global)
        {
            // Within the bound every window fires once, never as an update.
            Assert.All(harness.Results.Rows, r => Assert.False(r.IsUpdate));
            Assert.Equal(harness.Results.Rows.Count, harness.Results.Rows.Select(r => (r.Key, r.Start)).Distinct().Count());
        }
    }

    private static void WithLateRows(int seed, WindowKind kind)
    {
        var random = new Random(seed);
        var (spec, options) = Configure(random, kind, late: true);
        var bound = random.NextInt64(0, 6) * Second;
        var batches = WindowTestData.Split(random, WindowTestData.Stream(random, random.Next(0, 300), random.Next(1, 6), 2 * Second, bound, 0.25, 150 * Second), random.Next(1, 30));
        var harness = new WindowHarness(spec, bound, options);
        harness.Run(batches);
        harness.AssertMatches(harness.Reference(batches));
    }

    private static void AssertSameRows(List<WindowRow> expected, List<WindowRow> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal((e.Key, e.Start, e.End, e.Count, e.IsUpdate), (a.Key, a.Start, a.End, a.Count, a.IsUpdate));
            foreach (var (column, value) in e.Values)
            {
                Assert.Equal(value, a.Values[column]);
            }
        }
    }
}
