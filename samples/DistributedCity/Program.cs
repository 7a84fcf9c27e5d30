using System.Diagnostics;
using System.Globalization;
using DistributedCity;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SmartCity.Streams.Events;
using SmartCity.Streams.Nats;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;
using SmartCity.Streams.State;

var settings = new Settings(args);
var layout = new NatsLayout(settings.Prefix, settings.Partitions);
var city = new SyntheticCityOptions
{
    Sensors = settings.Sensors,
    Duration = TimeSpan.FromHours(settings.Hours),
    BatchSize = settings.BatchSize,
    Partitions = settings.Partitions,
};

switch (settings.Mode)
{
    case "produce":
        await Produce();
        return 0;
    case "work":
        await Work();
        return 0;
    case "bench":
    case "demo":
        return await Orchestrate(settings.Mode == "bench");
    default:
        Console.WriteLine("""
            DistributedCity: a producer and N workers sharing key-hash partitions on NATS JetStream.
              produce --nats URL --prefix P --partitions N --sensors S --hours H      publish the synthetic city
              work    --nats URL --prefix P --partitions N --workers W --index I [--idle-exit SECONDS] [--state DIR]
              demo    --nats URL [...]   start two worker processes and a producer, print the events
              bench   --nats URL --workers W [...]   end-to-end rows/s: producer and W worker processes concurrently
            """);
        return 2;
}

async Task Produce()
{
    await using var connection = new NatsConnection(new NatsOpts { Url = settings.Nats });
    var js = new NatsJSContext(connection);
    await layout.EnsureStreamsAsync(js);
    var sink = new NatsBatchSink(js, layout, "sensor", "producer");
    using var source = new SyntheticCitySource(city);
    var clock = Stopwatch.StartNew();
    var pending = new List<Task>();
    long rows = 0;
    while (source.MoveNext())
    {
        var current = source.Current;
        pending.Add(sink.PublishPartitionAsync(current.Batch, current.Partition, $"city/{current.Partition}/{current.Position}"));
        rows += current.Batch.Length;
        if (pending.Count == 16)
        {
            await Task.WhenAll(pending);
            pending.Clear();
        }

        // The IPC bytes are encoded synchronously, so the batch can go back to the generator now.
        source.Release(current);
    }

    await Task.WhenAll(pending);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"produced rows={rows} messages={sink.MessagesPublished} bytes={sink.BytesPublished} seconds={clock.Elapsed.TotalSeconds:0.000} rows/s={rows / clock.Elapsed.TotalSeconds:0} end={DateTime.UtcNow:O}"));
}

async Task Work()
{
    await using var connection = new NatsConnection(new NatsOpts { Url = settings.Nats });
    var js = new NatsJSContext(connection);
    var partitions = NatsWorker.StaticAssignment(settings.Partitions, settings.Workers, settings.Index);
    var printed = 0;
    var lastBatch = DateTime.UtcNow;
    var rows = new RowCounter(() => lastBatch = DateTime.UtcNow);
    var local = new ObservableEventSink();
    using var subscription = local.Subscribe(e =>
    {
        if (printed++ < settings.PrintEvents)
        {
            Console.WriteLine($"worker {settings.Index}: {e}");
        }
    });
    var worker = new NatsWorker(js, layout, new NatsWorkerOptions
    {
        Partitions = partitions,
        StateStore = new FileStateStore(Path.Combine(settings.State, settings.Prefix)),
        CheckpointEveryBatches = 50,
        Source = new NatsSourceOptions { EndWhenIdleFor = settings.IdleExitSeconds > 0 ? TimeSpan.FromSeconds(settings.IdleExitSeconds) : null },
        Pipeline = published => StreamPipeline.Create("sensor", "time", "speed")
            .WithName("distributed-city")
            .WithOutOfOrderness(TimeSpan.FromMinutes(1))
            .Ewma("speed", new EwmaOptions { Alpha = 0.1, WarmUp = 5 })
            .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = -2.0, ResolveAt = -0.5, Direction = ThresholdDirection.Below })
            .SendEventsTo(published)
            .SendEventsTo(local)
            .SendBatchesTo(rows)
            .Build(),
    });
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    Console.WriteLine($"worker {settings.Index}: partitions {string.Join(',', partitions)} of {settings.Partitions} on {settings.Nats}");
    await worker.RunAsync(stop.Token);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"worker {settings.Index}: rows={rows.Rows} events={worker.Publisher!.Published} replayed-events-dropped={worker.Publisher.Duplicates} dead-letters={worker.Source!.MessagesRejected} checkpoints={worker.Run!.CheckpointsTaken} last-batch={lastBatch:O}"));
}

async Task<int> Orchestrate(bool bench)
{
    var self = Environment.ProcessPath!;
    var dll = typeof(Settings).Assembly.Location;
    var common = new[] { "--nats", settings.Nats, "--prefix", settings.Prefix, "--partitions", settings.Partitions.ToString(CultureInfo.InvariantCulture),
        "--sensors", settings.Sensors.ToString(CultureInfo.InvariantCulture), "--hours", settings.Hours.ToString(CultureInfo.InvariantCulture),
        "--batch-size", settings.BatchSize.ToString(CultureInfo.InvariantCulture), "--state", settings.State };
    Directory.CreateDirectory(settings.State);
    {
        // Streams first, so workers can attach before the producer starts.
        await using var connection = new NatsConnection(new NatsOpts { Url = settings.Nats });
        await layout.EnsureStreamsAsync(new NatsJSContext(connection));
    }

    var workers = Enumerable.Range(0, settings.Workers).Select(i => Start("work", [.. common, "--workers", settings.Workers.ToString(CultureInfo.InvariantCulture),
        "--index", i.ToString(CultureInfo.InvariantCulture), "--idle-exit", bench ? "3" : "5", "--print-events", bench ? "0" : "5"])).ToList();
    await Task.Delay(1_000);
    var started = DateTime.UtcNow;
    var producer = Start("produce", common);
    var outputs = new List<string>();
    foreach (var process in workers.Prepend(producer))
    {
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Console.Write(text);
        outputs.Add(text);
    }

    var rows = outputs.SelectMany(o => o.Split('\n')).Where(l => l.StartsWith("worker", StringComparison.Ordinal) && l.Contains("rows=", StringComparison.Ordinal)).ToList();
    var total = rows.Sum(l => long.Parse(Field(l, "rows"), CultureInfo.InvariantCulture));
    var last = rows.Max(l => DateTime.Parse(Field(l, "last-batch"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    var seconds = (last - started).TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"end-to-end: workers={settings.Workers} rows={total} seconds={seconds:0.000} rows/s={total / seconds:0} (producer start to last batch processed, events published to JetStream)"));
    return 0;

    Process Start(string mode, string[] rest)
    {
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!string.Equals(Path.GetFileNameWithoutExtension(self), "DistributedCity", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(dll); // run through the dotnet host
        }

        info.ArgumentList.Add(mode);
        foreach (var a in rest)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info)!;
    }

    static string Field(string line, string name)
    {
        var start = line.IndexOf(name + "=", StringComparison.Ordinal) + name.Length + 1;
        var end = line.IndexOf(' ', start);
        return (end < 0 ? line[start..] : line[start..end]).Trim();
    }
}
