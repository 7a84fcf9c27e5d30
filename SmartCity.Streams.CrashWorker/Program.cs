using System.Globalization;
using SmartCity.Streams.CrashWorker;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;
using SmartCity.Streams.State;

// usage: SmartCity.Streams.CrashWorker <state-dir> <event-log> <delay-ms-per-batch>
//    or: SmartCity.Streams.CrashWorker nats <url> <prefix> <partitions> <state-dir> <delay-ms-per-batch>
// Runs a fixed synthetic city through an EWMA -> threshold pipeline with checkpoints every 3 batches,
// resuming from the last checkpoint; prints "done" and exits 0 at the end of the stream.
if (args.Length == 6 && args[0] == "nats")
{
    return await NatsMode.RunAsync(args);
}

if (args.Length != 3)
{
    await Console.Error.WriteLineAsync("usage: SmartCity.Streams.CrashWorker <state-dir> <event-log> <delay-ms-per-batch>");
    return 2;
}

var store = new FileStateStore(args[0]);
var delay = int.Parse(args[2], CultureInfo.InvariantCulture);
var latest = await store.LoadLatestAsync("crash-worker");
using var log = EventLogSink.Open(args[1], latest?.Sequence, out var window);
var dedup = new DeduplicatingEventSink(log, window);
var pipeline = StreamPipeline.Create("sensor", "time", "speed")
    .WithName("crash-worker")
    .WithOutOfOrderness(TimeSpan.FromMinutes(1))
    .Ewma("speed", new EwmaOptions { Alpha = 0.1, WarmUp = 5 })
    .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = -2.0, ResolveAt = -0.5, Direction = ThresholdDirection.Below })
    .SendEventsTo(dedup)
    .Build();
var source = new SyntheticCitySource(new SyntheticCityOptions
{
    Sensors = 200,
    Duration = TimeSpan.FromHours(6),
    BatchSize = 2_000,
    Partitions = 2,
    IncidentsPerSensorDay = 0.5,
    FaultsPerSensorDay = 0.2,
});
var run = new CheckpointedRun(pipeline, store, new CheckpointOptions
{
    Lanes = 2,
    EveryBatches = 3,
    AfterBatch = async ct =>
    {
        if (delay > 0)
        {
            await Task.Delay(delay, ct);
        }
    },
    AfterCheckpoint = c =>
    {
        log.MarkCheckpoint(c.Sequence);
        dedup.Trim();
    },
});
await run.RunAsync(source);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done restored={run.Restored?.Batches ?? 0} checkpoints={run.CheckpointsTaken} duplicates={dedup.Duplicates}"));
return 0;
