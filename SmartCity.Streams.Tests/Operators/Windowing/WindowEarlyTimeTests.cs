using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Windowing;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>The processing-time trigger (<see cref="WindowOptions.EarlyResultEvery"/>) with a manual clock.</summary>
public sealed class WindowEarlyTimeTests
{
    private const long Second = 1_000_000;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void Tumbling_emits_only_changed_open_windows_once_the_interval_has_passed()
    {
        var clock = new ManualTimeProvider();
        var results = new WindowCollector();
        var run = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(60)), new WindowOptions { EarlyResultEvery = Interval }, results, clock).CreateRun();

        run.Process(WindowTestData.Batch([new Reading(1, 1 * Second, 10, 0), new Reading(2, 2 * Second, 20, 0)]));
        clock.Advance(TimeSpan.FromSeconds(9));
        run.Process(WindowTestData.Batch([new Reading(1, 3 * Second, 30, 0)]));
        Assert.Empty(results.Rows); // 9 s < 10 s

        clock.Advance(TimeSpan.FromSeconds(1));
        run.Process(WindowTestData.Batch([new Reading(1, 4 * Second, 50, 0)]));
        Assert.Equal([(1L, 3L, false, 30.0), (2L, 1L, false, 20.0)], results.Rows.OrderBy(r => r.Key).Select(r => (r.Key, r.Count, r.IsUpdate, r.Values["speed_mean"])));
        Assert.All(results.Rows, r => Assert.Equal((0L, 60 * Second), (r.Start, r.End)));

        // Only sensor 1 received rows since: sensor 2 does not re-emit.
        results.Rows.Clear();
        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(1, 5 * Second, 70, 0)]));
        var update = Assert.Single(results.Rows);
        Assert.Equal((1L, 4L, true), (update.Key, update.Count, update.IsUpdate));
        Assert.Equal(40, update.Values["speed_mean"]);

        // Nothing changed: a due pass emits nothing.
        results.Rows.Clear();
        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(3, 6 * Second, 1, 0)]));
        Assert.Equal([(3L, false)], results.Rows.Select(r => (r.Key, r.IsUpdate)));

        // The watermark still fires every window once, as an update of its early result.
        results.Rows.Clear();
        clock.Advance(TimeSpan.FromSeconds(1));
        run.Process(WindowTestData.Batch([new Reading(2, 61 * Second, 1, 0)]));
        Assert.Equal([(1L, 4L, true), (2L, 1L, true), (3L, 1L, true)], results.Rows.OrderBy(r => r.Key).Select(r => (r.Key, r.Count, r.IsUpdate)));
    }

    [Fact]
    public void Hopping_re_emits_every_open_window_of_a_changed_pane_and_marks_their_final_results_as_updates()
    {
        var clock = new ManualTimeProvider();
        var results = new WindowCollector();
        var spec = WindowSpec.Hopping(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10));
        var run = Pipeline(spec, new WindowOptions { EarlyResultEvery = Interval }, results, clock).CreateRun();

        run.Process(WindowTestData.Batch([new Reading(1, 5 * Second, 10, 0), new Reading(1, 15 * Second, 20, 0)]));
        Assert.Equal([(-10 * Second, 1L, false)], Rows(results)); // the watermark (15 s) fired [-10, 10)

        results.Rows.Clear();
        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(1, 16 * Second, 30, 0)]));
        Assert.Equal([(0L, 3L, false), (10 * Second, 2L, false)], Rows(results));
        Assert.Equal(25, results.Rows[1].Values["speed_mean"]);

        // Sensor 1 did not change: only sensor 2's new windows are reported; then the watermark (25 s) fires
        // [0, 20), an update of its early result.
        results.Rows.Clear();
        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(2, 25 * Second, 1, 0)]));
        Assert.Equal(
            [(2L, 10 * Second, 1L, false), (2L, 20 * Second, 1L, false), (1L, 0L, 3L, true)],
            results.Rows.Select(r => (r.Key, r.Start, r.Count, r.IsUpdate)));

        // A window without an early result (sensor 3) fires with is_update = false.
        results.Rows.Clear();
        run.Process(WindowTestData.Batch([new Reading(3, 27 * Second, 1, 0), new Reading(2, 100 * Second, 1, 0)]));
        Assert.Equal(
            [(1L, 10 * Second, 2L, true), (2L, 10 * Second, 1L, true), (2L, 20 * Second, 1L, true), (3L, 10 * Second, 1L, false), (3L, 20 * Second, 1L, false)],
            results.Rows.Where(r => r.Start < 30 * Second).OrderBy(r => r.Key).ThenBy(r => r.Start).Select(r => (r.Key, r.Start, r.Count, r.IsUpdate)));
    }

    [Fact]
    public void Sessions_report_growth_and_the_final_result_is_an_update()
    {
        var clock = new ManualTimeProvider();
        var results = new WindowCollector();
        var run = Pipeline(WindowSpec.Session(TimeSpan.FromSeconds(10)), new WindowOptions { EarlyResultEvery = Interval }, results, clock).CreateRun();

        run.Process(WindowTestData.Batch([new Reading(1, 1 * Second, 10, 0), new Reading(2, 2 * Second, 10, 0)]));
        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(1, 3 * Second, 20, 0)]));
        Assert.Equal([(1L, 1 * Second, 13 * Second, 2L, false), (2L, 2 * Second, 12 * Second, 1L, false)], SessionRows(results));

        results.Rows.Clear();
        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(1, 5 * Second, 30, 0)]));
        Assert.Equal([(1L, 1 * Second, 15 * Second, 3L, true)], SessionRows(results));

        results.Rows.Clear();
        run.Process(WindowTestData.Batch([new Reading(3, 40 * Second, 1, 0)]));
        Assert.Equal([(1L, 1 * Second, 15 * Second, 3L, true), (2L, 2 * Second, 12 * Second, 1L, true)], SessionRows(results));
    }

    [Fact]
    public void Global_emits_between_watermark_advances()
    {
        var clock = new ManualTimeProvider();
        var results = new WindowCollector();
        var run = StreamPipeline.Create("sensor", "time", WindowTestData.Speed, WindowTestData.Occupancy)
            .WithOutOfOrderness(TimeSpan.FromSeconds(100))
            .WithTimeProvider(clock)
            .Window(WindowSpec.Global(), new WindowOptions { EarlyResultEvery = Interval }, WindowTestData.Measures)
            .SendBatchesTo(results)
            .Build()
            .CreateRun();

        run.Process(WindowTestData.Batch([new Reading(1, 10 * Second, 10, 0)]));
        Assert.Equal([(1L, false)], results.Rows.Select(r => (r.Count, r.IsUpdate)));
        run.Process(WindowTestData.Batch([new Reading(1, 5 * Second, 20, 0)])); // the watermark does not move
        Assert.Single(results.Rows);

        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(1, 6 * Second, 30, 0)]));
        Assert.Equal([(1L, false), (3L, true)], results.Rows.Select(r => (r.Count, r.IsUpdate)));
        Assert.Equal(20, results.Rows[^1].Values["speed_mean"]);
    }

    [Fact]
    public void Combines_with_the_row_count_trigger_without_repeating_a_result()
    {
        var clock = new ManualTimeProvider();
        var results = new WindowCollector();
        var options = new WindowOptions { EarlyResultEvery = Interval, EarlyResultEveryRows = 2 };
        var run = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(60)), options, results, clock).CreateRun();

        run.Process(WindowTestData.Batch([new Reading(1, 1 * Second, 10, 0), new Reading(1, 2 * Second, 20, 0)]));
        Assert.Equal([(2L, false)], results.Rows.Select(r => (r.Count, r.IsUpdate)));

        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(2, 3 * Second, 1, 0)])); // sensor 1 unchanged since its row-count result
        Assert.Equal([(1L, 2L, false), (2L, 1L, false)], results.Rows.OrderBy(r => r.Key).Select(r => (r.Key, r.Count, r.IsUpdate)));

        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(1, 4 * Second, 30, 0)]));
        Assert.Equal((1L, 3L, true), (results.Rows[^1].Key, results.Rows[^1].Count, results.Rows[^1].IsUpdate));
        Assert.Equal(3, results.Rows.Count);
    }

    [Fact]
    public void A_pass_in_a_batch_judges_windows_against_the_watermark_before_that_batch()
    {
        var clock = new ManualTimeProvider();
        var results = new WindowCollector();
        var run = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(10)), new WindowOptions { EarlyResultEvery = Interval }, results, clock).CreateRun();
        run.Process(WindowTestData.Batch([new Reading(1, 1 * Second, 10, 0)]));
        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(2, 12 * Second, 10, 0)]));

        // The batch's pass runs before the batch's watermark: it reports [0, 10) early (the watermark in force
        // was 1 s), then the new watermark (12 s) fires it as an update.
        Assert.Equal(
            [(1L, 0L, false), (2L, 10 * Second, false), (1L, 0L, true)],
            results.Rows.Select(r => (r.Key, r.Start, r.IsUpdate)));
    }

    [Fact]
    public void After_a_restore_the_interval_starts_afresh_and_open_windows_are_reported_again()
    {
        var clock = new ManualTimeProvider();
        var results = new WindowCollector();
        var pipeline = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(60)), new WindowOptions { EarlyResultEvery = Interval }, results, clock);
        var run = pipeline.CreateRun();
        run.Process(WindowTestData.Batch([new Reading(1, 1 * Second, 10, 0)]));
        clock.Advance(Interval);
        run.Process(WindowTestData.Batch([new Reading(1, 2 * Second, 20, 0)]));
        Assert.Equal([(1L, 2L, false)], results.Rows.Select(r => (r.Key, r.Count, r.IsUpdate)));

        clock.Advance(Interval);
        using var state = new MemoryStream();
        run.SaveState(state);
        state.Position = 0;
        var restored = pipeline.CreateRun();
        restored.RestoreState(state);
        restored.Process(WindowTestData.Batch([new Reading(2, 3 * Second, 1, 0)]));
        Assert.Single(results.Rows); // the restored run's interval started at the restore

        clock.Advance(Interval);
        restored.Process(WindowTestData.Batch([new Reading(2, 4 * Second, 1, 0)]));
        Assert.Equal(
            [(1L, 2L, false), (1L, 2L, true), (2L, 2L, false)],
            results.Rows.OrderBy(r => r.Key).ThenBy(r => r.IsUpdate).Select(r => (r.Key, r.Count, r.IsUpdate)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_non_positive_interval_fails_at_build(int seconds)
    {
        var builder = StreamPipeline.Create("sensor", "time", WindowTestData.Speed);
        var error = Assert.Throws<PipelineConfigurationException>(() => builder
            .TumblingWindow(TimeSpan.FromSeconds(10), new WindowOptions { EarlyResultEvery = TimeSpan.FromSeconds(seconds) }, new WindowMeasure("speed", AggregateKinds.Mean))
            .Build());
        Assert.Contains("EarlyResultEvery must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_window_kind_accepts_the_interval()
    {
        foreach (var spec in new[] { WindowSpec.Tumbling(TimeSpan.FromSeconds(10)), WindowSpec.Hopping(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), WindowSpec.Session(TimeSpan.FromSeconds(5)), WindowSpec.Global() })
        {
            StreamPipeline.Create("sensor", "time", WindowTestData.Speed)
                .Window(spec, new WindowOptions { EarlyResultEvery = Interval }, new WindowMeasure("speed", AggregateKinds.Mean))
                .Build();
        }
    }

    private static StreamPipeline Pipeline(WindowSpec spec, WindowOptions options, WindowCollector sink, TimeProvider clock) =>
        StreamPipeline.Create("sensor", "time", WindowTestData.Speed, WindowTestData.Occupancy)
            .WithTimeProvider(clock)
            .Window(spec, options, WindowTestData.Measures)
            .SendBatchesTo(sink)
            .Build();

    private static List<(long Start, long Count, bool IsUpdate)> Rows(WindowCollector results) =>
        [.. results.Rows.Where(r => r.Key == 1).Select(r => (r.Start, r.Count, r.IsUpdate))];

    private static List<(long Key, long Start, long End, long Count, bool IsUpdate)> SessionRows(WindowCollector results) =>
        [.. results.Rows.OrderBy(r => r.Key).Select(r => (r.Key, r.Start, r.End, r.Count, r.IsUpdate))];
}
