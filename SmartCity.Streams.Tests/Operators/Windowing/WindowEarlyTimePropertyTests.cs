using FsCheck.Xunit;
using SmartCity.Streams.Operators.Windowing;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>
/// What a consumer of early results relies on: whatever the clock does between batches, the last result per
/// (key, window) is the result without the processing-time trigger, and <c>is_update</c> marks every result
/// after a window's first.
/// </summary>
public sealed class WindowEarlyTimePropertyTests
{
    private const long Second = 1_000_000;

    [Property(MaxTest = 40)]
    public void Tumbling_final_results_do_not_depend_on_the_clock(int seed, bool late) => FinalResultsUnchanged(seed, WindowKind.Tumbling, late);

    [Property(MaxTest = 40)]
    public void Hopping_final_results_do_not_depend_on_the_clock(int seed, bool late) => FinalResultsUnchanged(seed, WindowKind.Hopping, late);

    [Property(MaxTest = 40)]
    public void Session_final_results_do_not_depend_on_the_clock(int seed, bool late) => FinalResultsUnchanged(seed, WindowKind.Session, late);

    [Property(MaxTest = 40)]
    public void Global_final_results_do_not_depend_on_the_clock(int seed, bool late) => FinalResultsUnchanged(seed, WindowKind.Global, late);

    private static void FinalResultsUnchanged(int seed, WindowKind kind, bool late)
    {
        var random = new Random(seed);
        var (spec, options) = WindowPropertyTests.Configure(random, kind, late);
        var bound = random.NextInt64(0, 6) * Second;
        var rows = WindowTestData.Stream(random, random.Next(0, 300), random.Next(1, 6), 2 * Second, bound, late ? 0.25 : 0, 150 * Second);
        var batches = WindowTestData.Split(random, rows, random.Next(1, 30));
        var steps = new TimeSpan[random.Next(1, 8)];
        for (var i = 0; i < steps.Length; i++)
        {
            steps[i] = TimeSpan.FromMilliseconds(random.Next(0, 15_000));
        }

        var timedOptions = options with
        {
            EarlyResultEvery = TimeSpan.FromMilliseconds(random.Next(1, 10_000)),
            EarlyResultEveryRows = kind is WindowKind.Tumbling or WindowKind.Session && random.Next(2) == 0 ? random.Next(1, 20) : 0,
        };
        var plain = new WindowHarness(spec, bound, options);
        plain.Run(batches);
        var timed = new WindowHarness(spec, bound, timedOptions) { Clock = new ManualTimeProvider(), ClockSteps = steps };
        timed.Run(batches, snapshotAfter: random.Next(-1, batches.Count));

        timed.AssertMatches(timed.Reference(batches));
        if (kind == WindowKind.Global)
        {
            var expected = plain.Results.Rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last());
            var actual = timed.Results.Rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last());
            AssertSame(expected, actual);
        }
        else
        {
            // Sessions: an early result of a session that later merged into an earlier one stays behind
            // (AssertMatches checks it is covered); every window of the plain run ends the same.
            var expected = plain.Results.Final();
            var actual = timed.Results.Final();
            if (kind != WindowKind.Session)
            {
                Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
            }

            AssertSame(expected, actual);
        }

        if (!late && kind != WindowKind.Session)
        {
            // In bound, a window's first result is not an update and every later one is.
            foreach (var group in timed.Results.Rows.GroupBy(r => kind == WindowKind.Global ? (r.Key, 0L) : (r.Key, r.Start)))
            {
                Assert.Equal([false, .. Enumerable.Repeat(true, group.Count() - 1)], group.Select(r => r.IsUpdate));
            }
        }
    }

    private static void AssertSame<TKey>(Dictionary<TKey, WindowRow> expected, Dictionary<TKey, WindowRow> actual)
        where TKey : notnull
    {
        foreach (var (id, e) in expected)
        {
            var a = actual[id];
            Assert.Equal((e.Start, e.End, e.Count), (a.Start, a.End, a.Count));
            foreach (var (column, value) in e.Values)
            {
                Assert.Equal(value, a.Values[column]);
            }
        }
    }
}
