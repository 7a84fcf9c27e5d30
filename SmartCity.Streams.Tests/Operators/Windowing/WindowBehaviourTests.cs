using System.Reflection;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators;
using SmartCity.Streams.Operators.Windowing;
using SmartCity.Streams.Pipeline;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>Bad input, memory release, early results and configuration errors.</summary>
public sealed class WindowBehaviourTests
{
    private const long Second = 1_000_000;

    [Fact]
    public void Non_finite_and_null_measures_are_skipped_and_counted()
    {
        var results = new WindowCollector();
        var pipeline = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(10)), new WindowOptions(), results);
        var run = pipeline.CreateRun();
        run.Process(WindowTestData.Batch(
        [
            new Reading(1, 1 * Second, 10, 1),
            new Reading(1, 2 * Second, double.NaN, 1),
            new Reading(1, 3 * Second, double.PositiveInfinity, double.NaN),
            new Reading(1, 4 * Second, double.NegativeInfinity, 1),
            new Reading(1, 5 * Second, 30, 1),
        ]));
        run.Complete();

        var row = Assert.Single(results.Rows);
        Assert.Equal(5, row.Count);
        Assert.Equal(2, row.Values["speed_count"]);
        Assert.Equal(20, row.Values["speed_mean"]);
        Assert.Equal(10, row.Values["speed_first"]);
        Assert.Equal(30, row.Values["speed_last"]);
        Assert.Equal(4, row.Values["occ_count"]);
        Assert.Equal(4, run.Statistics.ValuesSkipped);
    }

    [Fact]
    public void A_window_of_only_bad_values_reports_NaN_aggregates()
    {
        var results = new WindowCollector();
        var run = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(10)), new WindowOptions(), results).CreateRun();
        run.Process(WindowTestData.Batch([new Reading(1, Second, double.NaN, double.NaN)]));
        run.Complete();
        var row = Assert.Single(results.Rows);
        Assert.Equal(1, row.Count);
        Assert.Equal(0, row.Values["speed_count"]);
        Assert.Equal(0, row.Values["speed_sum"]);
        Assert.True(double.IsNaN(row.Values["speed_mean"]));
        Assert.True(double.IsNaN(row.Values["speed_p95"]));
        Assert.True(double.IsNaN(row.Values["speed_min"]));
    }

    [Fact]
    public void Times_before_1970_and_far_in_the_future_fall_in_the_right_windows()
    {
        var results = new WindowCollector();
        var run = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(1)), new WindowOptions(), results).CreateRun();
        var year2500 = EventTime.FromDateTimeOffset(new DateTimeOffset(2500, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var year1900 = EventTime.FromDateTimeOffset(new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero));
        run.Process(WindowTestData.Batch(
        [
            new Reading(1, year1900 + 500_000, 1, 0),
            new Reading(1, -1_500_000, 2, 0),
            new Reading(1, -500_000, 3, 0),
            new Reading(1, 0, 4, 0),
            new Reading(1, year2500 + 1, 5, 0),
        ]));
        run.Complete();
        var starts = results.Rows.Select(r => r.Start).OrderBy(s => s).ToArray();
        Assert.Equal([year1900, -2 * Second, -Second, 0, year2500], starts);
        Assert.All(results.Rows, r => Assert.Equal(r.Start + Second, r.End));
    }

    [Fact]
    public void Times_beyond_the_supported_range_are_rejected_not_lost()
    {
        var results = new WindowCollector();
        var run = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(1)), new WindowOptions(), results).CreateRun();
        run.Process(WindowTestData.Batch([new Reading(1, long.MinValue + 1, 1, 0), new Reading(1, Second, 1, 0)]));
        run.Complete();
        Assert.Equal(1, run.Statistics.RowsRejected);
        Assert.Single(results.Rows);
    }

    [Fact]
    public void A_key_seen_once_gets_one_window()
    {
        foreach (var spec in new[] { WindowSpec.Tumbling(TimeSpan.FromMinutes(1)), WindowSpec.Hopping(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)), WindowSpec.Session(TimeSpan.FromMinutes(1)), WindowSpec.Global() })
        {
            var results = new WindowCollector();
            var run = Pipeline(spec, new WindowOptions(), results).CreateRun();
            run.Process(WindowTestData.Batch([new Reading(42, 90 * Second, 7, 0.5)]));
            run.Complete();
            var expected = spec.Kind == WindowKind.Hopping ? 5 : 1;
            Assert.Equal(expected, results.Rows.Count);
            Assert.All(results.Rows, r =>
            {
                Assert.Equal(42, r.Key);
                Assert.Equal(1, r.Count);
                Assert.Equal(7, r.Values["speed_p50"], 0.07);
                Assert.True(double.IsNaN(r.Values["speed_var"]));
            });
        }
    }

    [Theory]
    [InlineData(WindowKind.Tumbling)]
    [InlineData(WindowKind.Hopping)]
    [InlineData(WindowKind.Session)]
    public void State_of_a_million_keys_is_released_when_their_windows_close(WindowKind kind)
    {
        const int Keys = 1_000_000;
        var spec = kind switch
        {
            WindowKind.Tumbling => WindowSpec.Tumbling(TimeSpan.FromSeconds(10)),
            WindowKind.Hopping => WindowSpec.Hopping(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10)),
            _ => WindowSpec.Session(TimeSpan.FromSeconds(5)),
        };
        var results = new CountingSink();
        var pipeline = StreamPipeline.Create("sensor", "time", WindowTestData.Speed, WindowTestData.Occupancy)
            .Window(spec, new WindowOptions { AllowedLateness = TimeSpan.FromSeconds(5) }, new WindowMeasure(WindowTestData.Speed, AggregateKinds.Mean | AggregateKinds.P95))
            .SendBatchesTo(results)
            .Build();
        var run = pipeline.CreateRun();
        var instance = Instance(run);
        for (var wave = 0; wave < 2; wave++)
        {
            for (var start = 0; start < Keys; start += 100_000)
            {
                var rows = Enumerable.Range(start, 100_000).Select(k => new Reading(k, (wave * 100 * Second) + Second + k, 1 + (k % 50), 0)).ToList();
                run.Process(WindowTestData.Batch(rows));
            }

            Assert.True(instance.LiveSlots >= Keys);

            // A row far later closes every window of the wave (beyond the allowed lateness) and is itself open.
            run.Process(WindowTestData.Batch([new Reading(-1, (wave * 100 * Second) + (80 * Second), 1, 0)]));
            Assert.InRange(instance.LiveSlots, 1, 3);
            Assert.InRange(instance.LiveSketches, 1, 3);
        }

        run.Complete();
        Assert.True(results.Rows >= 2 * Keys);
    }

    [Fact]
    public void Early_results_fire_every_n_rows_and_the_final_result_is_an_update()
    {
        var results = new WindowCollector();
        var run = Pipeline(WindowSpec.Tumbling(TimeSpan.FromSeconds(60)), new WindowOptions { EarlyResultEveryRows = 2 }, results).CreateRun();
        for (var i = 0; i < 5; i++)
        {
            run.Process(WindowTestData.Batch([new Reading(1, (i + 1) * Second, i, 0)]));
        }

        run.Process(WindowTestData.Batch([new Reading(2, 70 * Second, 0, 0)]));
        var window = results.Rows.Where(r => r.Key == 1).ToList();
        Assert.Equal([2L, 4, 5], window.Select(r => r.Count));
        Assert.Equal([false, true, true], window.Select(r => r.IsUpdate));
        Assert.Equal(2, window[^1].Values["speed_mean"]);
    }

    [Fact]
    public void A_late_row_within_lateness_updates_and_a_later_one_goes_to_the_late_output()
    {
        var results = new WindowCollector();
        var late = new LateCollector();
        var run = StreamPipeline.Create("sensor", "time", WindowTestData.Speed, WindowTestData.Occupancy)
            .TumblingWindow(TimeSpan.FromSeconds(10), new WindowOptions { AllowedLateness = TimeSpan.FromSeconds(10) }, WindowTestData.Measures)
            .SendBatchesTo(results)
            .SendLateRowsTo(late)
            .Build()
            .CreateRun();
        run.Process(WindowTestData.Batch([new Reading(1, 1 * Second, 10, 0)]));
        run.Process(WindowTestData.Batch([new Reading(1, 12 * Second, 20, 0)]));   // watermark 12 s: [0, 10) fires
        run.Process(WindowTestData.Batch([new Reading(1, 5 * Second, 30, 0)]));    // within lateness: update
        run.Process(WindowTestData.Batch([new Reading(1, 25 * Second, 40, 0)]));   // watermark 25 s: [0, 10) closed
        run.Process(WindowTestData.Batch([new Reading(1, 6 * Second, 50, 0)]));    // too late
        run.Complete();

        var first = results.Rows.Where(r => r.Start == 0).ToList();
        Assert.Equal([1L, 2], first.Select(r => r.Count));
        Assert.Equal([false, true], first.Select(r => r.IsUpdate));
        Assert.Equal(20, first[^1].Values["speed_mean"]);
        var lateRow = Assert.Single(late.Rows);
        Assert.Equal(6 * Second, lateRow.Time);
        Assert.Equal(50, lateRow.Speed);
        Assert.Equal(1, run.Statistics.RowsLate);
    }

    [Fact]
    public void Window_results_feed_a_downstream_operator()
    {
        var results = new WindowCollector();
        var pipeline = StreamPipeline.Create("sensor", "time", WindowTestData.Speed, WindowTestData.Occupancy)
            .TumblingWindow(TimeSpan.FromSeconds(10), new WindowMeasure(WindowTestData.Speed, AggregateKinds.Mean))
            .HoppingWindow(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), new WindowOptions { Name = "smooth" }, new WindowMeasure("speed_mean", AggregateKinds.Mean | AggregateKinds.Max))
            .SendBatchesTo(results)
            .Build();
        var run = pipeline.CreateRun();
        run.Process(WindowTestData.Batch([.. Enumerable.Range(0, 100).Select(i => new Reading(1, i * Second, i, 0))]));
        run.Complete();
        Assert.NotEmpty(results.Rows);
        Assert.All(results.Rows, r => Assert.Contains("speed_mean_mean", r.Values.Keys));
        // Upstream results are timed at their window end: [30 s, 60 s) holds the 10 s windows ending at 30, 40 and 50 s.
        var full = results.Rows.Single(r => r.Start == 30 * Second);
        Assert.Equal(3, full.Count);
        Assert.Equal(34.5, full.Values["speed_mean_mean"], 1e-9);
        Assert.Equal(44.5, full.Values["speed_mean_max"], 1e-9);
    }

    [Fact]
    public void Bad_configuration_fails_the_build_with_a_clear_message()
    {
        var builder = () => StreamPipeline.Create("sensor", "time", WindowTestData.Speed);
        Assert.Throws<PipelineConfigurationException>(() => builder().HoppingWindow(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), new WindowMeasure("speed", AggregateKinds.Mean)));
        Assert.Throws<PipelineConfigurationException>(() => builder().TumblingWindow(TimeSpan.Zero, new WindowMeasure("speed", AggregateKinds.Mean)));
        Assert.Throws<PipelineConfigurationException>(() => builder().TumblingWindow(TimeSpan.FromSeconds(1)));
        Assert.Throws<PipelineConfigurationException>(() => builder().HoppingWindow(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), new WindowOptions { EarlyResultEveryRows = 3 }, new WindowMeasure("speed", AggregateKinds.Mean)));
        Assert.Throws<PipelineConfigurationException>(() => builder().TumblingWindow(TimeSpan.FromSeconds(1), new WindowOptions { SketchRelativeAccuracy = 0.7 }, new WindowMeasure("speed", AggregateKinds.P50)));
        var missing = Assert.Throws<PipelineConfigurationException>(() => builder().TumblingWindow(TimeSpan.FromSeconds(1), new WindowMeasure("flow", AggregateKinds.Mean)).Build());
        Assert.Contains("flow", missing.Message, StringComparison.Ordinal);
        Assert.Throws<PipelineConfigurationException>(() => builder().TumblingWindow(TimeSpan.FromSeconds(1), new WindowMeasure("speed", AggregateKinds.Mean), new WindowMeasure("speed", AggregateKinds.Mean | AggregateKinds.Max)).Build());
    }

    internal static StreamPipeline Pipeline(WindowSpec spec, WindowOptions options, IBatchSink sink) =>
        StreamPipeline.Create("sensor", "time", WindowTestData.Speed, WindowTestData.Occupancy)
            .Window(spec, options, WindowTestData.Measures)
            .SendBatchesTo(sink)
            .Build();

    internal static WindowInstance Instance(PipelineRun run, int lane = 0)
    {
        var chain = run.Lanes[lane];
        var operators = (OperatorInstance[])chain.GetType().GetField("_operators", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(chain)!;
        return (WindowInstance)operators[0];
    }

    private sealed class CountingSink : IBatchSink
    {
        public long Rows { get; private set; }

        public void OnBatch(StreamBatch batch) => Rows += batch.Length;

        public void OnCompleted(Exception? error) => Assert.Null(error);
    }
}
