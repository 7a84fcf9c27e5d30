using Apache.Arrow;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Testing;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Pipeline;

[Collection(AllocationMeasuringCollection.Name)]
public class ZeroAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Steady_state_batches_allocate_nothing(int lanes)
    {
        var batches = MakeBatches(60, 4096, 500);
        var events = new CountingEventSink();
        var run = StreamPipeline.Create("sensor", "time", "speed")
            .Filter("speed", Comparison.GreaterThan, 0)
            .Ewma("speed")
            .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = 3, ResolveAt = 1 })
            .SendEventsTo(events)
            .Build()
            .CreateRun(lanes);

        // Warm-up pass: keys are discovered, buffers and per-key arrays grow to the largest batch each lane
        // sees. Measured passes replay batches of the same shapes, so a byte allocated in every pass is a leak.
        foreach (var batch in batches)
        {
            run.Process(batch);
        }

        var passes = 1;
        var allocated = SteadyStateAllocation.Minimum(3, pass =>
        {
            passes += 1;
            foreach (var batch in batches)
            {
                run.Process(batch);
            }
        });
        Assert.Equal(0, allocated);
        Assert.Equal(passes * 60 * 4096, run.Statistics.RowsIn);
    }

    internal static List<RecordBatch> MakeBatches(int count, int rows, int keys)
    {
        var random = new Random(11);
        var batches = new List<RecordBatch>(count);
        long time = 0;
        for (var b = 0; b < count; b++)
        {
            var k = new int[rows];
            var t = new long[rows];
            var v = new double[rows];
            for (var i = 0; i < rows; i++)
            {
                k[i] = (b * rows) + i < keys ? (b * rows) + i : random.Next(keys);
                t[i] = time += 100;
                v[i] = 50 + (random.NextDouble() * 10);
            }

            batches.Add(TestBatches.Readings(k, t, v));
        }

        return batches;
    }

    private sealed class CountingEventSink : IEventSink
    {
        public long Count { get; private set; }

        public void OnEvents(ReadOnlySpan<CityEvent> events) => Count += events.Length;

        public void OnCompleted(Exception? error)
        {
        }
    }
}
