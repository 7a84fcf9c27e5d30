using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Nats;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.State;

namespace SmartCity.Streams.CrashWorker;

/// <summary>
/// "nats &lt;url&gt; &lt;prefix&gt; &lt;partitions&gt; &lt;state-dir&gt; &lt;delay-ms-per-batch&gt;": a NatsWorker over every partition
/// with file checkpoints every 3 batches, ending when the input is idle for 1 s.
/// </summary>
internal static class NatsMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var layout = new NatsLayout(args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        var delay = int.Parse(args[5], CultureInfo.InvariantCulture);
        await using var connection = new NatsConnection(new NatsOpts { Url = args[1] });
        var js = new NatsJSContext(connection);
        var worker = new NatsWorker(js, layout, new NatsWorkerOptions
        {
            Partitions = [.. Enumerable.Range(0, layout.Partitions)],
            StateStore = new FileStateStore(args[4]),
            CheckpointEveryBatches = 3,
            Source = new NatsSourceOptions { EndWhenIdleFor = TimeSpan.FromSeconds(1) },
            Pipeline = events => StreamPipeline.Create("sensor", "time", "speed")
                .WithName("w")
                .WithOutOfOrderness(TimeSpan.FromMinutes(1))
                .Ewma("speed", new EwmaOptions { Alpha = 0.1, WarmUp = 5 })
                .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = -2.0, ResolveAt = -0.5, Direction = ThresholdDirection.Below })
                .SendEventsTo(events)
                .SendBatchesTo(new SlowSink(delay))
                .Build(),
        });
        await worker.RunAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done restored={worker.Run!.Restored?.Batches ?? 0} published={worker.Publisher!.Published} duplicates={worker.Publisher.Duplicates}"));
        return 0;
    }

    private sealed class SlowSink(int delayMs) : IBatchSink
    {
        public void OnBatch(StreamBatch batch) => Thread.Sleep(delayMs);

        public void OnCompleted(Exception? error)
        {
        }
    }
}
