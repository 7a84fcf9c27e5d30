using System.Diagnostics;
using System.Diagnostics.Metrics;
using NATS.Client.KeyValueStore;
using SmartCity.Streams.Nats;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Nats;

/// <summary>Slot leases against a real nats-server: mutual exclusion, renewal, takeover after the time to live, fencing.</summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class NatsSlotLeaseTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Two_contenders_for_one_slot_exactly_one_wins_and_renewing_keeps_it_beyond_the_ttl()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        using var a = await NatsSlotLease.OpenAsync(js, "mutex-leases", 2, "a", Ttl);
        using var b = await NatsSlotLease.OpenAsync(js, "mutex-leases", 2, "b", Ttl);

        var won = await Task.WhenAll(a.TryAcquireAsync(0), b.TryAcquireAsync(0));
        Assert.Single(won, w => w);
        var (holder, contender) = won[0] ? (a, b) : (b, a);
        Assert.Equal(0, holder.Slot);
        Assert.Null(contender.Slot);
        Assert.False(holder.TookOver);

        // The holder renews before each poll of the contender, for longer than the time to live: the contender sees
        // a new revision every time, so it never gets the slot.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Ttl * 1.25)
        {
            await holder.RenewAsync();
            Assert.False(await contender.TryAcquireAsync(0));
            await Task.Delay(100);
        }

        Assert.Equal(0, holder.Slot);
        Assert.False(holder.IsLost);
        Assert.True(holder.Remaining > TimeSpan.Zero);

        // The other slot is free for the contender.
        Assert.Equal(1, await contender.TryAcquireAnyAsync());
    }

    [Fact]
    public async Task A_holder_that_stops_renewing_is_taken_over_after_the_ttl_and_its_fenced_renew_fails()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        using var holder = await NatsSlotLease.OpenAsync(js, "takeover-leases", 1, "holder", Ttl);
        using var standby = await NatsSlotLease.OpenAsync(js, "takeover-leases", 1, "standby", Ttl);
        long takeovers = 0;
        using var listener = Listen("scs.nats.lease_takeovers", v => Interlocked.Add(ref takeovers, v));

        Assert.True(await holder.TryAcquireAsync(0));
        var lastWrite = Stopwatch.StartNew(); // the holder never renews again: as a paused or dead process

        var deadline = Stopwatch.StartNew();
        while (!await standby.TryAcquireAsync(0))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the standby never took the stale lease over");
            await Task.Delay(100);
        }

        Assert.True(lastWrite.Elapsed >= Ttl, $"taken over {lastWrite.Elapsed} after the last renewal, before the time to live {Ttl}");
        Assert.True(standby.TookOver);
        Assert.True(Interlocked.Read(ref takeovers) >= 1);

        // Fencing: the old holder's revision-checked renew fails, also as the check before a commit, and its
        // release leaves the new holder's lease alone.
        await Assert.ThrowsAsync<NatsLeaseLostException>(() => holder.RenewAsync());
        Assert.True(holder.IsLost);
        var fenced = await Assert.ThrowsAsync<NatsLeaseLostException>(() => holder.EnsureHeldAsync());
        Assert.Equal(0, fenced.Slot);
        Assert.False(await holder.ReleaseAsync());
        await standby.RenewAsync();
        Assert.False(standby.IsLost);
    }

    [Fact]
    public async Task A_released_slot_is_acquired_at_once_without_a_takeover()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        using var first = await NatsSlotLease.OpenAsync(js, "release-leases", 1, "first", Ttl);
        using var second = await NatsSlotLease.OpenAsync(js, "release-leases", 1, "second", Ttl);

        Assert.True(await first.TryAcquireAsync(0));
        Assert.False(await second.TryAcquireAsync(0));
        Assert.True(await first.ReleaseAsync());
        Assert.Null(first.Slot);

        Assert.True(await second.TryAcquireAsync(0));
        Assert.False(second.TookOver);
        var store = await new NatsKVContext(js).GetStoreAsync("release-leases");
        var entry = await store.GetEntryAsync<string>(NatsSlotLease.Key(0));
        Assert.Contains("holder=second;", entry.Value, StringComparison.Ordinal);
    }

    private static MeterListener Listen(string instrument, Action<long> onMeasurement)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == "SmartCity.Streams.Nats" && i.Name == instrument)
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => onMeasurement(value));
        listener.Start();
        return listener;
    }
}
