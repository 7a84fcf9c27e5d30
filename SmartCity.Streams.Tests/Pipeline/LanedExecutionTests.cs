using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Pipeline;

public class LanedExecutionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Threaded_run_emits_the_same_events_as_a_synchronous_run(int lanes)
    {
        var rows = PipelineHarness.RandomRows(42, 20_000, 64);
        var batches = TestBatches.Chunk(rows, Enumerable.Range(1, 39).Select(i => i * 500));
        var expected = PipelineHarness.Run(rows, [], 1);

        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        var statistics = await PipelineHarness.Builder(events, sink).Build().RunAsync(new InMemoryBatchSource(batches), lanes);

        Assert.Equal(expected.Events, PipelineHarness.Describe(events.Events));
        Assert.Equal(expected.Rows, PipelineHarness.Describe(sink));
        Assert.Equal(rows.Count, statistics.RowsIn);
        Assert.Equal(batches.Count, statistics.Batches);
        Assert.True(events.IsCompleted);
    }

    [Fact]
    public async Task Key_partitioned_sources_feed_lanes_directly()
    {
        var rows = PipelineHarness.RandomRows(5, 6_000, 32);
        var even = rows.Where(r => r.Key % 2 == 0).ToList();
        var odd = rows.Where(r => r.Key % 2 == 1).ToList();
        var source = new InMemoryBatchSource(
            [TestBatches.Chunk(even, Enumerable.Range(1, 9).Select(i => i * 300)), TestBatches.Chunk(odd, Enumerable.Range(1, 9).Select(i => i * 300))],
            partitionsByKey: true);
        var expected = PipelineHarness.Run(rows, [], 1);

        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        await PipelineHarness.Builder(events, sink).Build().RunAsync(source, lanes: 2);

        Assert.Equal(expected.Events, PipelineHarness.Describe(events.Events));
        Assert.Equal(expected.Rows, PipelineHarness.Describe(sink));
    }

    [Fact]
    public async Task Rx_and_channel_sinks_receive_every_event_and_complete()
    {
        var rows = PipelineHarness.RandomRows(9, 5_000, 16);
        using var observable = new ObservableEventSink();
        var channel = new ChannelEventSink(capacity: 8);
        var seen = new List<CityEvent>();
        var completed = false;
        using var subscription = observable.Subscribe(seen.Add, () => completed = true);
        var count = observable.Count().ToTask();

        var pipeline = PipelineHarness.Builder(observable, null).SendEventsTo(channel).Build();
        var reading = Task.Run(async () =>
        {
            var list = new List<CityEvent>();
            await foreach (var e in channel.Reader.ReadAllAsync())
            {
                list.Add(e);
            }

            return list;
        });

        await pipeline.RunAsync(new InMemoryBatchSource(TestBatches.Chunk(rows, [1000, 2000, 3000])), lanes: 2);
        var fromChannel = await reading.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(completed);
        Assert.NotEmpty(seen);
        Assert.Equal(seen.Count, await count);
        Assert.Equal(PipelineHarness.Describe(seen), PipelineHarness.Describe(fromChannel));
    }
}
