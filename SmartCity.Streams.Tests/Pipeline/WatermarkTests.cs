using System.Diagnostics.Metrics;
using SmartCity.Streams.Diagnostics;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Pipeline;

public class WatermarkTests
{
    [Fact]
    public void Watermark_is_the_minimum_over_partitions_until_a_partition_goes_idle()
    {
        var clock = new ManualClock();
        var run = StreamPipeline.Create("sensor", "time", "speed")
            .WithOutOfOrderness(TimeSpan.FromTicks(10)) // 1 µs
            .WithIdleTimeout(TimeSpan.FromSeconds(10))
            .WithTimeProvider(clock)
            .Build()
            .CreateRun(lanes: 1, partitions: 2);

        run.Process(TestBatches.Readings([1], [1_000], [1]), partition: 0);
        Assert.Equal(long.MinValue, run.Watermark); // partition 1 has not spoken and is not idle yet

        run.Process(TestBatches.Readings([2], [500], [1]), partition: 1);
        Assert.Equal(499, run.Watermark);

        clock.Advance(TimeSpan.FromSeconds(11));
        run.Process(TestBatches.Readings([1], [2_000], [1]), partition: 0);
        Assert.Equal(1_999, run.Watermark); // partition 1 went idle and no longer holds the watermark back
    }

    [Fact]
    public void Metrics_are_published_through_System_Diagnostics_Metrics()
    {
        var measurements = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StreamMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "pipeline" && (string?)tag.Value == "metrics-test")
                {
                    measurements[instrument.Name] = value;
                }
            }
        });
        listener.Start();

        using var run = StreamPipeline.Create("sensor", "time", "speed").WithName("metrics-test").Build().CreateRun();
        run.Process(TestBatches.Readings([1, 2, 3], [1, 2, 3], [1, 2, 3]));
        listener.RecordObservableInstruments();

        Assert.Equal(3, measurements["smartcity.streams.rows_in"]);
        Assert.Equal(1, measurements["smartcity.streams.batches"]);
        Assert.Equal(0, measurements["smartcity.streams.rows_rejected"]);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
