using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Sources;
using SmartCity.Streams.State;
using SmartCity.Streams.Tests.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.State;

public sealed class CheckpointRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scs-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Randomized seeds: a run "crashes" (its source throws, no final checkpoint, state abandoned in memory)
    /// 1..4 times at random batches, restarts from the last checkpoint each time; the downstream log, behind a
    /// deduplicating sink seeded with what it received after that checkpoint, ends with exactly the events of
    /// an uninterrupted run, with no id twice.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Crashes_at_random_batches_then_restart_give_the_uninterrupted_event_set(int seed)
    {
        var random = new Random(seed);
        var rows = PipelineHarness.RandomRows(seed, 3_000, 6 + (seed % 20));
        var partitions = Partition(rows, 2, random);
        var lanes = 1 + (seed % 2);
        var every = 1 + random.Next(6);

        var expected = new CollectingEventSink();
        var reference = new CheckpointedRun(PipelineHarness.Builder(expected, null).Build(), new FileStateStore(Path.Combine(_dir, "ref")),
            new CheckpointOptions { Lanes = lanes, EveryBatches = every });
        await reference.RunAsync(new InMemoryBatchSource(partitions, partitionsByKey: true));
        Assert.NotEmpty(expected.Events);

        var store = new FileStateStore(Path.Combine(_dir, "crash"));
        var log = new CollectingEventSink(); // the durable downstream: survives crashes
        var marks = new Dictionary<long, int>(); // checkpoint sequence -> log length when it completed
        var total = partitions.Sum(p => p.Count);
        var crashes = 1 + random.Next(4);
        var attempts = 0;
        while (true)
        {
            attempts++;
            var latest = await store.LoadLatestAsync("pipeline");
            var from = latest is null ? 0 : marks.GetValueOrDefault(latest.Sequence);
            var dedup = new DeduplicatingEventSink(new ForwardingSink(log), log.Events.Skip(from).Select(e => e.Id));
            var run = new CheckpointedRun(PipelineHarness.Builder(dedup, null).Build(), store, new CheckpointOptions
            {
                Lanes = lanes,
                EveryBatches = every,
                AfterCheckpoint = c =>
                {
                    marks[c.Sequence] = log.Events.Count;
                    dedup.Trim();
                },
            });
            var crashAt = attempts <= crashes ? 1 + random.Next(total + 1) : int.MaxValue;
            try
            {
                await run.RunAsync(new CrashingSource(new InMemoryBatchSource(partitions, partitionsByKey: true), crashAt));
                break;
            }
            catch (SimulatedCrashException)
            {
                Assert.True(attempts <= crashes);
            }
        }

        Assert.Equal(log.Events.Count, log.Events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(PipelineHarness.Describe(expected.Events), PipelineHarness.Describe(log.Events));
    }

    [Fact]
    public async Task Graceful_stop_takes_a_checkpoint_and_the_next_start_resumes_after_it()
    {
        var rows = PipelineHarness.RandomRows(42, 2_000, 10);
        var partitions = Partition(rows, 2, new Random(42));
        var store = new FileStateStore(_dir);
        var events = new CollectingEventSink();
        using var cts = new CancellationTokenSource();
        var stopAfter = 0;
        var first = new CheckpointedRun(PipelineHarness.Builder(events, null).Build(), store, new CheckpointOptions
        {
            EveryBatches = 1000,
            AfterBatch = _ =>
            {
                if (++stopAfter == 7)
                {
                    cts.Cancel();
                }

                return ValueTask.CompletedTask;
            },
        });
        await first.RunAsync(new InMemoryBatchSource(partitions, true), cts.Token);
        Assert.Equal(1, first.CheckpointsTaken);
        Assert.Equal(7, first.Latest!.Batches);

        var second = new CheckpointedRun(PipelineHarness.Builder(events, null).Build(), store, new CheckpointOptions { EveryBatches = 1000 });
        await second.RunAsync(new InMemoryBatchSource(partitions, true));
        Assert.Equal(7, second.Restored!.Batches);
        Assert.Equal(partitions.Sum(p => p.Count), second.Latest!.Batches);

        var expected = new CollectingEventSink();
        var reference = PipelineHarness.Builder(expected, null).Build().CreateRun(1, 2);
        var source = new InMemoryBatchSource(partitions, true);
        while (source.MoveNext())
        {
            reference.Process(source.Current.Batch, source.Current.Partition);
        }

        reference.Complete();
        Assert.Equal(PipelineHarness.Describe(expected.Events), PipelineHarness.Describe(events.Events));
    }

    [Fact]
    public async Task Corrupt_truncated_or_foreign_checkpoints_fail_clearly_instead_of_starting_fresh()
    {
        var store = new FileStateStore(_dir);
        var checkpoint = new Checkpoint("city", 3, DateTimeOffset.UnixEpoch, 10, [4, 6], new byte[] { 1, 2, 3, 4, 5 });
        await store.SaveAsync(checkpoint);
        var loaded = await store.LoadLatestAsync("city");
        Assert.Equal([4L, 6L], loaded!.Positions);
        Assert.Equal(3, loaded.Sequence);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, loaded.PipelineState.ToArray());
        Assert.Equal(["city"], await store.ListAsync());
        Assert.Null(await store.LoadLatestAsync("other"));

        var path = store.PathOf("city");
        var bytes = await File.ReadAllBytesAsync(path);

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(path, flipped);
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.LoadLatestAsync("city"));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);

        await File.WriteAllBytesAsync(path, bytes.AsSpan(0, bytes.Length - 7).ToArray());
        await Assert.ThrowsAsync<InvalidDataException>(async () => await store.LoadLatestAsync("city"));

        var future = (byte[])bytes.Clone();
        future[4] = 99;
        await File.WriteAllBytesAsync(path, future);
        error = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.LoadLatestAsync("city"));
        Assert.Contains("version 99", error.Message, StringComparison.Ordinal);

        // A corrupt checkpoint stops the driver too: no silent fresh start.
        var run = new CheckpointedRun(PipelineHarness.Builder(new CollectingEventSink(), null).WithName("city").Build(), store);
        await Assert.ThrowsAsync<InvalidDataException>(() => run.RunAsync(new InMemoryBatchSource([])));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public async Task Deduplicating_sink_drops_replayed_ids_and_forgets_at_trim()
    {
        var log = new CollectingEventSink();
        var e1 = new CityEvent(EventKind.Risk, EventCategory.Threshold, EventPhase.Open, new SensorId(1), 10, 10, 0, 1, 1, 1, "op");
        var e2 = new CityEvent(EventKind.Risk, EventCategory.Threshold, EventPhase.Resolve, new SensorId(1), 10, 20, 0, 1, 1, 1, "op");
        var sink = new DeduplicatingEventSink(log, [e1.Id]);
        sink.OnEvents([e1, e2, e2]);
        Assert.Equal([e2], log.Events);
        Assert.Equal(2, sink.Duplicates);
        sink.Trim();
        Assert.Equal(0, sink.WindowSize);
        await Task.CompletedTask;
    }

    internal static List<IReadOnlyList<RecordBatch>> Partition(IReadOnlyList<Reading> rows, int count, Random random)
    {
        var result = new List<IReadOnlyList<RecordBatch>>();
        for (var p = 0; p < count; p++)
        {
            var mine = rows.Where(r => new SensorId(r.Key).PartitionOf(count) == p).ToList();
            var cuts = Enumerable.Range(0, random.Next(5, 30)).Select(_ => random.Next(1, Math.Max(2, mine.Count))).ToList();
            result.Add(TestBatches.Chunk(mine, cuts));
        }

        return result;
    }

    private sealed class ForwardingSink(IEventSink inner) : IEventSink
    {
        public void OnEvents(ReadOnlySpan<CityEvent> events) => inner.OnEvents(events);

        // The durable log outlives every run.
        public void OnCompleted(Exception? error)
        {
        }
    }
}
