using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Windowing;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Testing;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>Once warm, a window pipeline allocates nothing per batch, firings included.</summary>
[Collection(AllocationMeasuringCollection.Name)]
public sealed class WindowAllocationTests
{
    public static TheoryData<string> Workloads() => ["tumbling-count-mean", "hopping-mean", "tumbling-p95", "session-all", "global-mean", "tumbling-early-time", "hopping-early-time", "session-early-time"];

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Steady_state_batches_allocate_nothing(string workload)
    {
        const int Sensors = 100;
        const int BatchRows = 4096;
        var batches = new List<RecordBatch>();
        var row = 0L;
        for (var b = 0; b < 300; b++)
        {
            var rows = new List<Reading>(BatchRows);
            for (var i = 0; i < BatchRows; i++, row++)
            {
                rows.Add(new Reading((int)(row % Sensors), row * 10_000, 50 + (row % 37), 0.5));
            }

            batches.Add(WindowTestData.Batch(rows));
        }

        var sink = new NullSink();
        // The clock moves one second per batch: the processing-time trigger passes every third batch.
        var clock = new ManualTimeProvider();
        var early = new WindowOptions { EarlyResultEvery = TimeSpan.FromSeconds(3) };
        var builder = StreamPipeline.Create("sensor", "time", WindowTestData.Speed, WindowTestData.Occupancy).WithOutOfOrderness(TimeSpan.FromSeconds(2)).WithTimeProvider(clock);
        builder = workload switch
        {
            "tumbling-count-mean" => builder.TumblingWindow(TimeSpan.FromSeconds(60), new WindowMeasure(WindowTestData.Speed, AggregateKinds.Count | AggregateKinds.Mean)),
            "hopping-mean" => builder.HoppingWindow(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), new WindowMeasure(WindowTestData.Speed, AggregateKinds.Mean)),
            "tumbling-p95" => builder.TumblingWindow(TimeSpan.FromSeconds(60), new WindowMeasure(WindowTestData.Speed, AggregateKinds.P95)),
            "session-all" => builder.SessionWindow(TimeSpan.FromMilliseconds(500), WindowTestData.Measures),
            "tumbling-early-time" => builder.TumblingWindow(TimeSpan.FromSeconds(60), early, new WindowMeasure(WindowTestData.Speed, AggregateKinds.Count | AggregateKinds.Mean | AggregateKinds.P95)),
            "hopping-early-time" => builder.HoppingWindow(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), early, new WindowMeasure(WindowTestData.Speed, AggregateKinds.Mean)),
            "session-early-time" => builder.SessionWindow(TimeSpan.FromMilliseconds(500), early, WindowTestData.Measures),
            _ => builder.GlobalAggregate(new WindowMeasure(WindowTestData.Speed, AggregateKinds.Mean)),
        };
        var run = builder.SendBatchesTo(sink).Build().CreateRun();
        for (var b = 0; b < 100; b++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            run.Process(batches[b]);
        }

        // Two measured stretches of 100 batches: a per-batch allocation shows in both, while a one-off
        // allocation of the runtime (tiered JIT recompiling a hot method) shows in one at most.
        var allocated = SteadyStateAllocation.Minimum(2, stretch =>
        {
            for (var b = (stretch + 1) * 100; b < (stretch + 2) * 100; b++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                run.Process(batches[b]);
            }
        });

        Assert.True(sink.Rows > 0);
        Assert.Equal(0, allocated);
    }

    private sealed class NullSink : IBatchSink
    {
        public long Rows { get; private set; }

        public void OnBatch(StreamBatch batch) => Rows += batch.Length;

        public void OnCompleted(Exception? error)
        {
        }
    }
}
