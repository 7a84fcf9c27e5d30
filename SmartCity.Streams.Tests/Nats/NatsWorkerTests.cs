using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Events;
using SmartCity.Streams.Nats;
using SmartCity.Streams.Sources;
using SmartCity.Streams.State;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Nats;

/// <summary>Against a real nats-server (Debian package nats-server) on a random loopback port.</summary>
public sealed class NatsWorkerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scs-natsw-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task One_worker_and_two_workers_publish_the_same_event_set_as_a_single_process_run()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        var city = NatsTestData.City(partitions: 4);
        var expected = NatsTestData.ExpectedEventIds(city);
        Assert.NotEmpty(expected);

        // One worker owning all four partitions, checkpoints in files.
        var one = new NatsLayout("one", 4);
        await one.EnsureStreamsAsync(js);
        await NatsTestData.PublishCityAsync(js, one, city);
        var single = Worker(js, one, [0, 1, 2, 3], new FileStateStore(_dir));
        await single.RunAsync();
        var oneIds = await NatsTestData.ReadEventIdsAsync(js, one.EventStream);

        // Two workers sharing them by static assignment, checkpoints in a JetStream object store.
        var two = new NatsLayout("two", 4);
        await two.EnsureStreamsAsync(js);
        await NatsTestData.PublishCityAsync(js, two, city);
        var store = await NatsObjectStateStore.CreateAsync(js, "two-checkpoints");
        var workers = Enumerable.Range(0, 2).Select(i => Worker(js, two, NatsWorker.StaticAssignment(4, 2, i), store)).ToList();
        await Task.WhenAll(workers.Select(w => w.RunAsync()));
        var twoIds = await NatsTestData.ReadEventIdsAsync(js, two.EventStream);

        Assert.Equal(oneIds.Count, oneIds.Distinct().Count());
        Assert.Equal(twoIds.Count, twoIds.Distinct().Count());
        Assert.Equal(expected.Order(), oneIds.Order());
        Assert.Equal(expected.Order(), twoIds.Order());
        Assert.Equal(["w-p0-2", "w-p1-3"], await store.ListAsync());
        Assert.Equal(0, single.Source!.MessagesRejected);
    }

    [Fact]
    public async Task Nats_server_killed_and_restarted_mid_stream_loses_no_row_and_the_worker_resumes_by_itself()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        var city = NatsTestData.City(partitions: 2);
        var expected = NatsTestData.ExpectedEventIds(city);
        var layout = new NatsLayout("fault", 2);
        await layout.EnsureStreamsAsync(js);
        var total = NatsTestData.CountRows(city);

        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var counter = new CountingBatchSink(total, done.Cancel);
        var worker = new NatsWorker(js, layout, new NatsWorkerOptions
        {
            Partitions = [0, 1],
            Pipeline = events => NatsTestData.Pipeline("w", events, counter),
            StateStore = new FileStateStore(_dir),
            CheckpointEveryBatches = 4,
            Source = new NatsSourceOptions { AckWait = TimeSpan.FromSeconds(30) },
        });
        var running = worker.RunAsync(done.Token);

        var firstHalf = await NatsTestData.PublishCityAsync(js, layout, city, 0, 20);
        await Task.Delay(300);
        server.Kill(); // SIGKILL mid-stream
        await Task.Delay(500);
        server.Launch();
        var secondHalf = await NatsTestData.PublishCityAsync(js, layout, city, 20); // the producer retries through the outage
        Assert.Equal(total, firstHalf + secondHalf);

        await running; // ends when every row went through (or after 60 s)
        Assert.False(worker.Run!.Latest is null);
        Assert.Equal(total, counter.Rows);
        var ids = await NatsTestData.ReadEventIdsAsync(js, layout.EventStream);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Events of the rows seen so far: the run was stopped at the last row, before completion flushes.
        Assert.Subset(expected, ids.ToHashSet());
        Assert.True(ids.Count >= expected.Count * 9 / 10, $"{ids.Count} of {expected.Count} events");
    }

    [Fact]
    public async Task Worker_crashing_mid_stream_resumes_from_its_checkpoint_and_the_stream_holds_each_expected_event_once()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        var city = NatsTestData.City(partitions: 2);
        var expected = NatsTestData.ExpectedEventIds(city);
        var layout = new NatsLayout("crash", 2);
        await layout.EnsureStreamsAsync(js);
        var total = await NatsTestData.PublishCityAsync(js, layout, city);
        var store = await NatsObjectStateStore.CreateAsync(js, "crash-checkpoints");

        // First incarnation: dies (an exception out of the pipeline, no final checkpoint) after ~60% of the rows.
        var dying = new CountingBatchSink(total * 6 / 10, () => throw new InvalidOperationException("simulated crash"));
        var first = new NatsWorker(js, layout, new NatsWorkerOptions
        {
            Partitions = [0, 1],
            Pipeline = events => NatsTestData.Pipeline("w", events, dying),
            StateStore = store,
            CheckpointEveryBatches = 7,
            Source = new NatsSourceOptions { EndWhenIdleFor = TimeSpan.FromSeconds(1) },
        });
        await Assert.ThrowsAnyAsync<Exception>(() => first.RunAsync());
        Assert.True(first.Run!.CheckpointsTaken >= 1);
        var published = first.Publisher!.Published;

        // Second incarnation: same partitions, same store; resumes after the checkpoint.
        var rows = new CountingBatchSink(long.MaxValue, () => { });
        var second = new NatsWorker(js, layout, new NatsWorkerOptions
        {
            Partitions = [0, 1],
            Pipeline = events => NatsTestData.Pipeline("w", events, rows),
            StateStore = store,
            Source = new NatsSourceOptions { EndWhenIdleFor = TimeSpan.FromSeconds(1) },
        });
        await second.RunAsync();

        Assert.NotNull(second.Run!.Restored);
        Assert.True(rows.Rows < total, "the second run replayed from the start instead of the checkpoint");
        Assert.True(second.Publisher!.Duplicates > 0 || published == 0, "no replayed event was deduplicated");
        var ids = await NatsTestData.ReadEventIdsAsync(js, layout.EventStream);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(expected.Order(), ids.Order());
    }

    [Fact]
    public async Task Corrupt_ipc_wrong_schema_and_oversized_messages_are_dead_lettered_and_counted_while_processing_continues()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        var layout = new NatsLayout("bad", 1);
        await layout.EnsureStreamsAsync(js);
        var city = NatsTestData.City(partitions: 1, hours: 1);
        var good = await NatsTestData.PublishCityAsync(js, layout, city, 0, 2);
        var subject = layout.PartitionSubject(0);
        await js.PublishAsync(subject, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, opts: new() { MsgId = "corrupt" });
        var wrong = new RecordBatch(new Schema.Builder().Field(f => f.Name("sensor").DataType(StringType.Default)).Build(),
            [new StringArray.Builder().Append("a").Build()], 1);
        await new NatsBatchSink(js, layout, "sensor", "bad").PublishPartitionAsync(wrong, 0, "wrong-schema");
        using (var big = new SyntheticCitySource(city with { BatchSize = 20_000 }))
        {
            big.MoveNext();
            await new NatsBatchSink(js, layout, "sensor", "big").PublishPartitionAsync(big.Current.Batch, 0, "oversized");
        }

        good += await NatsTestData.PublishCityAsync(js, layout, city, 2);

        var letters = new List<NatsDeadLetter>();
        var rows = new CountingBatchSink(long.MaxValue, () => { });
        var schema = new SyntheticCitySource(city).Schema;
        var worker = new NatsWorker(js, layout, new NatsWorkerOptions
        {
            Partitions = [0],
            Pipeline = events => NatsTestData.Pipeline("w", events, rows),
            StateStore = new FileStateStore(_dir),
            Source = new NatsSourceOptions { EndWhenIdleFor = TimeSpan.FromSeconds(1), MaxMessageBytes = 200_000, ExpectedSchema = schema, OnDeadLetter = letters.Add },
        });
        await worker.RunAsync();

        Assert.Equal(good, rows.Rows);
        Assert.Equal(3, worker.Source!.MessagesRejected);
        Assert.Collection(letters,
            l => Assert.StartsWith("corrupt Arrow IPC", l.Reason, StringComparison.Ordinal),
            l => Assert.StartsWith("wrong schema: column 'sensor' is utf8, expected int64", l.Reason, StringComparison.Ordinal),
            l => Assert.StartsWith("oversized", l.Reason, StringComparison.Ordinal));
        var stream = await js.GetStreamAsync(layout.BatchStream);
        var deadLetters = await js.GetStreamAsync(layout.BatchStream, new() { SubjectsFilter = layout.DeadLetterSubject });
        Assert.Equal(3L, deadLetters.Info.State.Subjects?[layout.DeadLetterSubject] ?? 0L);
        Assert.True(stream.Info.State.Messages > 3);
    }

    private static NatsWorker Worker(NATS.Client.JetStream.INatsJSContext js, NatsLayout layout, IReadOnlyList<int> partitions, IStateStore store) =>
        new(js, layout, new NatsWorkerOptions
        {
            Partitions = partitions,
            Pipeline = events => NatsTestData.Pipeline("w", events),
            StateStore = store,
            CheckpointEveryBatches = 5,
            Source = new NatsSourceOptions { EndWhenIdleFor = TimeSpan.FromSeconds(1) },
        });
}
