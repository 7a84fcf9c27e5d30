using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Pipeline;

public class WatermarkTests
{
    [Fact]
    public void Watermark_is_the_minimum_over_partitions_until_a_partition_goes_idle()
    {
        var clock = new ManualTimeProvider();
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
}
