using System.Text.Json;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.Streams.Events;
using SmartCity.Streams.Nats;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Tests.Nats;

/// <summary>The city, the pipeline and the helpers shared by the NATS tests.</summary>
internal static class NatsTestData
{
    public static SyntheticCityOptions City(int partitions, int hours = 4) => new()
    {
        Sensors = 120,
        Duration = TimeSpan.FromHours(hours),
        BatchSize = 1_500,
        Partitions = partitions,
        IncidentsPerSensorDay = 0.5,
        FaultsPerSensorDay = 0.2,
    };

    public static StreamPipeline Pipeline(string name, IEventSink events, SmartCity.Streams.Batches.IBatchSink? rows = null)
    {
        var builder = StreamPipeline.Create("sensor", "time", "speed")
            .WithName(name)
            .WithOutOfOrderness(TimeSpan.FromMinutes(1))
            .Ewma("speed", new EwmaOptions { Alpha = 0.1, WarmUp = 5 })
            .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = -2.0, ResolveAt = -0.5, Direction = ThresholdDirection.Below })
            .SendEventsTo(events);
        return (rows is null ? builder : builder.SendBatchesTo(rows)).Build();
    }

    /// <summary>The event ids (as published message ids) of an uninterrupted single-process run.</summary>
    public static HashSet<string> ExpectedEventIds(SyntheticCityOptions city)
    {
        var events = new CollectingEventSink();
        using var source = new SyntheticCitySource(city);
        var run = Pipeline("reference", events).CreateRun(1, city.Partitions);
        while (source.MoveNext())
        {
            run.Process(source.Current.Batch, source.Current.Partition);
            source.Release(source.Current);
        }

        run.Complete();
        return [.. events.Events.Select(e => NatsEventPublisher.MessageId(e))];
    }

    public static long CountRows(SyntheticCityOptions city)
    {
        using var source = new SyntheticCitySource(city);
        long rows = 0;
        while (source.MoveNext())
        {
            rows += source.Current.Batch.Length;
            source.Release(source.Current);
        }

        return rows;
    }

    /// <summary>Publishes the whole synthetic city, batch by batch, with deterministic message ids; returns the row count.</summary>
    public static async Task<long> PublishCityAsync(INatsJSContext js, NatsLayout layout, SyntheticCityOptions city, int skipBatches = 0, int takeBatches = int.MaxValue)
    {
        var sink = new NatsBatchSink(js, layout, "sensor", "city");
        using var source = new SyntheticCitySource(city);
        long rows = 0;
        var index = 0;
        while (source.MoveNext())
        {
            var current = source.Current;
            if (index >= skipBatches && index < (long)skipBatches + takeBatches)
            {
                await sink.PublishPartitionAsync(current.Batch, current.Partition, $"city/{current.Partition}/{current.Position}");
                rows += current.Batch.Length;
            }

            index++;
            source.Release(current);
        }

        return rows;
    }

    /// <summary>Reads every message of a stream (ids parsed from the event JSON).</summary>
    public static async Task<List<string>> ReadEventIdsAsync(INatsJSContext js, string stream)
    {
        var info = await js.GetStreamAsync(stream);
        var total = (long)info.Info.State.Messages;
        var ids = new List<string>();
        if (total == 0)
        {
            return ids;
        }

        var consumer = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig("reader-" + Guid.NewGuid().ToString("N")[..8]) { AckPolicy = ConsumerConfigAckPolicy.Explicit });
        for (var round = 0; round < 100 && ids.Count < total; round++)
        {
            await foreach (var message in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 500, Expires = TimeSpan.FromSeconds(2) }))
            {
                using (var json = JsonDocument.Parse(message.Data))
                {
                    ids.Add(json.RootElement.GetProperty("id").GetString()!);
                }

                await message.AckAsync();
            }
        }

        return ids;
    }
}
