using System.Collections.Concurrent;
using System.Diagnostics;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Nats;
using SmartCity.Streams.Sources;
using SmartCity.Streams.State;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Nats;

/// <summary>Workers on leased slots against a real nats-server: failover to a standby, and fencing of a holder that lost its slot.</summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class NatsLeaseFailoverTests
{
    private static readonly NatsLeaseOptions Leases = new()
    {
        Slots = 2,
        // Renewals every 250 ms against a 3 s time to live leave a wide margin for a loaded, shared test machine.
        Ttl = TimeSpan.FromSeconds(3),
        RenewEvery = TimeSpan.FromMilliseconds(250),
        PollEvery = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task Three_workers_on_two_slots_a_crashed_holder_is_replaced_by_the_standby_and_the_stream_holds_each_expected_event_once()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        var city = NatsTestData.City(partitions: 4, hours: 8);
        var expected = NatsTestData.ExpectedEventIds(city);
        var layout = new NatsLayout("failover", 4);
        await layout.EnsureStreamsAsync(js);
        await NatsTestData.PublishCityAsync(js, layout, city);
        var store = await NatsObjectStateStore.CreateAsync(js, "failover-checkpoints");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var allFinished = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var finished = new ConcurrentDictionary<int, bool>();
        var runs = new ConcurrentQueue<(string Worker, int Slot, bool TakenOver, bool Restored)>();

        // Worker a takes a slot first and dies mid-stream (an exception out of the pipeline: no checkpoint, no
        // release, no more renewals), after about 60% of its slot's rows and at least one checkpoint.
        var crashing = new CountingBatchSink(SmallestSlotRows(city, Leases.Slots) * 6 / 10, () => throw new InvalidOperationException("simulated crash"));
        var a = Worker(js, layout, store, crashing);
        var aRun = a.RunWithLeaseAsync(Leases with { Holder = "a" }, timeout.Token);
        await WaitUntilAsync(() => a.Slot is not null || aRun.IsCompleted, "worker a never acquired a slot");
        var aSlot = Assert.IsType<int>(a.Slot);

        // b and c: one takes the other slot, the other is the standby. Like worker processes, they go back to
        // standby after each run and stop once both slots have run to the end of the input.
        var survivors = new[] { "b", "c" }.Select(name => Task.Run(async () =>
        {
            var worker = Worker(js, layout, store, rows: null);
            while (!allFinished.IsCancellationRequested)
            {
                try
                {
                    if (await worker.RunWithLeaseAsync(Leases with { Holder = name }, allFinished.Token) is null)
                    {
                        return; // cancelled while standing by
                    }
                }
                catch (NatsLeaseLostException e)
                {
                    // Legitimate if this worker was starved past the time to live: back to standby, as a process would.
                    runs.Enqueue((name + " lost", e.Slot, false, false));
                    continue;
                }

                var slot = worker.Slot!.Value;
                runs.Enqueue((name, slot, worker.SlotTakenOver, worker.Run!.Restored is not null));
                if (!allFinished.IsCancellationRequested)
                {
                    finished[slot] = true;
                    if (finished.Count == Leases.Slots)
                    {
                        await allFinished.CancelAsync();
                    }
                }
            }
        })).ToArray();

        var crash = await Assert.ThrowsAnyAsync<Exception>(() => aRun);
        Assert.IsNotType<NatsLeaseLostException>(crash);
        Assert.Contains("simulated crash", crash.ToString(), StringComparison.Ordinal);
        Assert.True(a.Run!.CheckpointsTaken >= 1, "worker a crashed before its first checkpoint");
        await Task.WhenAll(survivors);

        Assert.False(timeout.IsCancellationRequested, $"timed out; runs: {string.Join(", ", runs)}");
        Assert.Contains(runs, r => r.Slot == aSlot && r.TakenOver && r.Restored);
        var ids = await NatsTestData.ReadEventIdsAsync(js, layout.EventStream);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(expected.Order(), ids.Order());
    }

    [Fact]
    public async Task A_worker_whose_slot_is_taken_over_stops_with_a_lease_lost_exception_and_commits_nothing()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        var city = NatsTestData.City(partitions: 2);
        var layout = new NatsLayout("fenced", 2);
        await layout.EnsureStreamsAsync(js);
        var total = await NatsTestData.PublishCityAsync(js, layout, city);
        var store = await NatsObjectStateStore.CreateAsync(js, "fenced-checkpoints");
        var processed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rows = new CountingBatchSink(total, () => processed.TrySetResult());

        // No checkpoint before the takeover: the only commit attempted is the one at the stop, which the fence must refuse.
        var worker = new NatsWorker(js, layout, new NatsWorkerOptions
        {
            Pipeline = events => NatsTestData.Pipeline("w", events, rows),
            StateStore = store,
            CheckpointEveryBatches = 1_000_000,
            CheckpointInterval = TimeSpan.FromHours(1),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = worker.RunWithLeaseAsync(Leases with { Slots = 1, Holder = "victim" }, timeout.Token);
        await processed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, worker.Slot);

        // Another worker takes the slot over (as after a long pause of this one): the key's revision moves on.
        var leases = await new NatsKVContext(js).GetStoreAsync(NatsSlotLease.DefaultBucket(layout));
        await leases.PutAsync(NatsSlotLease.Key(0), "holder=thief");

        var lost = await Assert.ThrowsAsync<NatsLeaseLostException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, lost.Slot);
        Assert.False(timeout.IsCancellationRequested);
        Assert.Equal(0, worker.Run!.CheckpointsTaken);
        Assert.Null(await store.LoadLatestAsync("w-p0-1"));
        var entry = await leases.GetEntryAsync<string>(NatsSlotLease.Key(0));
        Assert.Equal("holder=thief", entry.Value); // the fenced holder did not release the new holder's lease
    }

    private static NatsWorker Worker(INatsJSContext js, NatsLayout layout, IStateStore store, IBatchSink? rows) =>
        new(js, layout, new NatsWorkerOptions
        {
            Pipeline = events => NatsTestData.Pipeline("w", events, rows),
            StateStore = store,
            CheckpointEveryBatches = 4,
            Source = new NatsSourceOptions { EndWhenIdleFor = TimeSpan.FromSeconds(1) },
        });

    /// <summary>Rows of the smallest slot, so the crash comes at the same share of whichever slot worker a gets.</summary>
    private static long SmallestSlotRows(SyntheticCityOptions city, int slots)
    {
        var rows = new long[slots];
        using var source = new SyntheticCitySource(city);
        while (source.MoveNext())
        {
            rows[source.Current.Partition % slots] += source.Current.Batch.Length;
            source.Release(source.Current);
        }

        return rows.Min();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), failure);
            await Task.Delay(20);
        }
    }
}
