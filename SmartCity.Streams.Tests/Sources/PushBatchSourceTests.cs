using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Tests.Sources;

public class PushBatchSourceTests
{
    [Fact]
    public async Task Readings_pushed_by_two_producers_run_end_to_end_on_two_lanes()
    {
        using var source = new PushBatchSource(capacity: 2);
        var writer = source.CreateReadingWriter(new PushReadingOptions { MeasureColumns = ["speed", "flow"], MaxBatchRows = 256 });
        var pipeline = Streams.Pipeline.StreamPipeline.Create("sensor", "time", "speed", "flow").Build();
        var run = pipeline.RunAsync(source, lanes: 2);

        async Task Produce(int producer)
        {
            for (var i = 0; i < 5_000; i++)
            {
                await writer.WriteAsync((producer * 1_000) + (i % 50), SourceTestData.T0 + (i * 1_000_000L), i, 2.0 * i);
            }
        }

        await Task.WhenAll(Task.Run(() => Produce(0)), Task.Run(() => Produce(1)));
        await writer.DisposeAsync();
        var stats = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(10_000, stats.RowsIn);
        Assert.True(stats.Batches >= 10_000 / 256);
    }

    [Fact]
    public async Task Partial_batch_is_sent_after_the_max_delay()
    {
        using var source = new PushBatchSource();
        var writer = source.CreateReadingWriter(new PushReadingOptions { MaxDelay = TimeSpan.FromMilliseconds(20) });
        await writer.WriteAsync(1, SourceTestData.T0, 50.0);
        await writer.WriteAsync(2, SourceTestData.T0, new double[] { 60.0 }, CancellationToken.None);
        var next = source.MoveNextAsync().AsTask();
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, source.Current.Batch.Length);
        source.Release(source.Current);
        await writer.CompleteAsync();
        Assert.False(await source.MoveNextAsync());
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.WriteAsync(1, 0, 1.0, 2.0));
    }

    [Fact]
    public async Task Batches_written_to_the_channel_flow_through_and_completion_ends_the_run()
    {
        using var source = new PushBatchSource(capacity: 1, schema: SourceTestData.Batch(0, 1).Schema);
        var run = SourceTestData.SpeedPipeline().RunAsync(source, lanes: 2);
        for (var b = 0; b < 20; b++)
        {
            await source.Writer.WriteAsync(SourceTestData.Batch(b * 100, 100)); // waits while the pipeline is behind
        }

        source.Writer.Complete();
        var stats = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2_000, stats.RowsIn);
    }
}
