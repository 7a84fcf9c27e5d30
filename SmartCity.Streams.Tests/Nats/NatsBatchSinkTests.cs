using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Nats;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Tests.Nats;

public sealed class NatsBatchSinkTests
{
    [Fact]
    public async Task Unpartitioned_batches_are_split_by_the_engines_key_hash_and_every_row_arrives_once_on_its_partition()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        var layout = new NatsLayout("split", 3);
        await layout.EnsureStreamsAsync(js);
        var city = NatsTestData.City(partitions: 1, hours: 1);
        var sink = new NatsBatchSink(js, layout, "sensor", "splitter");
        long published = 0;
        using (var source = new SyntheticCitySource(city))
        {
            var n = 0;
            while (source.MoveNext())
            {
                await sink.PublishAsync(source.Current.Batch, $"b{n}");
                await sink.PublishAsync(source.Current.Batch, $"b{n++}"); // a retry: same ids, dropped by the server
                published += source.Current.Batch.Length;
                source.Release(source.Current);
            }
        }

        Assert.Equal(sink.MessagesPublished / 2, sink.Duplicates);
        await using var reader = new NatsPartitionSource(js, layout, [0, 1, 2], new NatsSourceOptions { EndWhenIdleFor = TimeSpan.FromSeconds(1) });
        long rows = 0;
        var seen = new HashSet<(long, long)>();
        while (await reader.MoveNextAsync())
        {
            var batch = reader.Current.Batch;
            var sensors = (Int64Array)batch.Column("sensor");
            var times = (TimestampArray)batch.Column("time");
            for (var i = 0; i < batch.Length; i++)
            {
                Assert.Equal(reader.Current.Partition, new SensorId(sensors.GetValue(i)!.Value).PartitionOf(3));
                Assert.True(seen.Add((sensors.GetValue(i)!.Value, EventTime.FromDateTimeOffset(times.GetTimestamp(i)!.Value))));
            }

            rows += batch.Length;
            reader.Release(reader.Current);
        }

        Assert.Equal(published, rows);
    }
}
