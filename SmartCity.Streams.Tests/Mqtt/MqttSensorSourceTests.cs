using System.Globalization;
using Apache.Arrow;
using SmartCity.Streams.Mqtt;

namespace SmartCity.Streams.Tests.Mqtt;

/// <summary>Against a real mosquitto broker on a random loopback port.</summary>
public sealed class MqttSensorSourceTests
{
    private const long T0 = 1_700_000_000_000_000;

    [Fact]
    public async Task Json_json_batches_and_csv_become_micro_batches_keyed_by_topic_and_malformed_messages_are_dead_lettered()
    {
        using var broker = MosquittoServer.Start();
        var letters = new List<MqttDeadLetter>();
        await using var source = new MqttSensorSource(new MqttSourceOptions
        {
            Port = broker.Port,
            ClientId = "scs-test-" + Guid.NewGuid().ToString("N")[..8],
            Topics = ["city/#"],
            TopicSegments = 3,
            Measures = ["speed", "flow"],
            BatchSize = 4,
            MaxDelay = TimeSpan.FromMilliseconds(100),
            MaxPayloadBytes = 1_000,
            EndWhenIdleFor = TimeSpan.FromSeconds(1),
            OnDeadLetter = letters.Add,
        });
        await source.StartAsync();

        using var device = new MqttPublisher(broker.Port, "device-1");
        await device.PublishAsync("city/north/7", $$"""{"time": {{T0}}, "speed": 51.5, "flow": 900}""");
        await device.PublishAsync("city/north/7", "{\"time\": \"not a time\", \"speed\": 1}");
        await device.PublishAsync("city/south/8", $$"""[{"time": {{T0 + 1}}, "speed": 40}, {"time": "2023-11-14T22:13:20Z", "speed": 41, "flow": 2}]""");
        await device.PublishAsync("city/south/8", "{\"time\": 1, \"speed\": ");
        await device.PublishAsync("city/east/9", $"{T0 + 2},30.5,100\n{T0 + 3},31,101\n");
        await device.PublishAsync("city/east/9", $"{T0 + 4},thirty,100");
        await device.PublishAsync("city/east/nine", $"{T0 + 5},30,100");
        await device.PublishAsync("city/east", $"{T0 + 5},30,100");
        await device.PublishAsync("city/west/10", $$"""{"time": {{T0 + 6}}, "speed": 70, "pad": "{{new string('x', 1_200)}}"}""");
        await device.PublishAsync("city/west/10", $$"""{"time": {{T0 + 7}}, "speed": 71, "flow": null}""");

        var rows = new List<string>();
        var batches = 0;
        while (await source.MoveNextAsync())
        {
            var batch = source.Current.Batch;
            batches++;
            Assert.True(batch.Length <= 4);
            var sensors = (Int64Array)batch.Column("sensor");
            var times = (TimestampArray)batch.Column("time");
            var speeds = (DoubleArray)batch.Column("speed");
            var flows = (DoubleArray)batch.Column("flow");
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add(string.Create(CultureInfo.InvariantCulture, $"{sensors.GetValue(i)}|{SmartCity.Streams.Batches.EventTime.FromDateTimeOffset(times.GetTimestamp(i)!.Value) - T0}|{speeds.GetValue(i)}|{flows.GetValue(i)}"));
            }

            source.Release(source.Current);
        }

        Assert.Equal(
            ["7|0|51.5|900", "8|1|40|NaN", "8|0|41|2", "9|2|30.5|100", "9|3|31|101", "10|7|71|NaN"],
            rows);
        Assert.True(batches >= 2);
        Assert.Equal(6, source.MessagesRejected);
        Assert.Equal(10, source.MessagesReceived);
        Assert.Collection(letters,
            l => Assert.StartsWith("bad JSON: 'time'", l.Reason, StringComparison.Ordinal),
            l => Assert.StartsWith("bad JSON", l.Reason, StringComparison.Ordinal),
            l => Assert.StartsWith("bad CSV: line 1: 'thirty'", l.Reason, StringComparison.Ordinal),
            l => Assert.StartsWith("unknown topic: 'city/east/nine'", l.Reason, StringComparison.Ordinal),
            l => Assert.StartsWith("unknown topic: 'city/east'", l.Reason, StringComparison.Ordinal),
            l => Assert.StartsWith("oversized", l.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broker_restarted_mid_stream_loses_no_reading_and_the_source_reconnects_by_itself()
    {
        using var broker = MosquittoServer.Start();
        const int Readings = 400;
        await using var source = new MqttSensorSource(new MqttSourceOptions
        {
            Port = broker.Port,
            ClientId = "scs-restart-" + Guid.NewGuid().ToString("N")[..8],
            BatchSize = 50,
            MaxDelay = TimeSpan.FromMilliseconds(50),
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
        });
        await source.StartAsync();

        var seen = new HashSet<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var consuming = Task.Run(async () =>
        {
            while (seen.Count < Readings && await source.MoveNextAsync(stop.Token))
            {
                var batch = source.Current.Batch;
                var sensors = (Int64Array)batch.Column("sensor");
                var times = (TimestampArray)batch.Column("time");
                for (var i = 0; i < batch.Length; i++)
                {
                    seen.Add(string.Create(CultureInfo.InvariantCulture, $"{sensors.GetValue(i)}|{times.GetTimestamp(i)}"));
                }

                source.Release(source.Current);
            }
        });

        using var device = new MqttPublisher(broker.Port, "device-restart");
        for (var i = 0; i < Readings; i++)
        {
            if (i == Readings / 2)
            {
                broker.Stop(); // graceful: mosquitto persists sessions and queued messages
                await Task.Delay(300);
                broker.Launch();
            }

            await device.PublishAsync($"city/d{i % 3}/{i % 17}", $$"""{"time": {{T0 + (i * 1_000_000L)}}, "speed": {{i % 90}}}""");
        }

        await consuming;
        Assert.Equal(Readings, seen.Count);
        Assert.True(source.Reconnects >= 1);
    }
}
