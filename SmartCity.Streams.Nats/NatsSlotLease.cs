using System.Diagnostics;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace SmartCity.Streams.Nats;

/// <summary>
/// One worker's lease on at most one assignment slot, kept in a JetStream KV bucket with one key per slot
/// (<c>slot-&lt;i&gt;</c>; value: holder, renewal time, time to live). Acquire a free slot with a create-only put,
/// renew with a revision-checked update, release with a revision-checked delete. A holder that stops renewing
/// (crash, pause, partition) loses the slot to a contender that has seen the same revision unchanged for a whole
/// <see cref="Ttl"/> on its own clock; the holder's next revision-checked renew then fails (fencing).
/// </summary>
/// <remarks>
/// <para>Staleness is judged on the contender's monotonic clock, never by comparing wall clocks of two machines,
/// so clock skew cannot shorten a lease. The bucket has no <c>MaxAge</c>: a bucket-wide age limit would fix the time
/// to live at bucket creation and make an expired lease indistinguishable from a free slot.</para>
/// <para>The holder treats its lease as valid until <see cref="Ttl"/> after the start of its last successful write
/// (a write is applied by the server after it was sent, and a contender starts counting only after it observed
/// it, so the holder's view is the conservative one). Methods are safe to call concurrently (renewals of a
/// background loop and the fencing check before a checkpoint are serialised).</para>
/// </remarks>
public sealed class NatsSlotLease : IDisposable
{
    private readonly INatsKVStore _store;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<int, (ulong Revision, long SeenAt)> _observed = [];
    private long _writtenAt;
    private int _lost;

    private NatsSlotLease(INatsKVStore store, int slots, string holder, TimeSpan ttl)
    {
        _store = store;
        Slots = slots;
        Holder = holder;
        Ttl = ttl;
    }

    /// <summary>The KV bucket.</summary>
    public string Bucket => _store.Bucket;

    /// <summary>Number of slots.</summary>
    public int Slots { get; }

    /// <summary>This holder's identity.</summary>
    public string Holder { get; }

    /// <summary>Time to live of a lease that is not renewed.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>The slot held (null: none).</summary>
    public int? Slot { get; private set; }

    /// <summary>Revision of the held slot's key after this holder's last write.</summary>
    public ulong Revision { get; private set; }

    /// <summary>Whether the last acquisition took the slot over from a holder that stopped renewing.</summary>
    public bool TookOver { get; private set; }

    /// <summary>Whether the held lease was lost; every later renew or fencing check fails.</summary>
    public bool IsLost => Volatile.Read(ref _lost) != 0;

    /// <summary>Time left on the held lease by this holder's conservative clock (zero when none is held or it is lost).</summary>
    public TimeSpan Remaining => Slot is null || IsLost ? TimeSpan.Zero : Max(TimeSpan.Zero, Ttl - Stopwatch.GetElapsedTime(Volatile.Read(ref _writtenAt)));

    /// <summary>Opens the lease bucket (creating it if missing: file storage, one revision per key).</summary>
    /// <param name="jetStream">JetStream context.</param>
    /// <param name="bucket">Bucket name (letters, digits, dash, underscore).</param>
    /// <param name="slots">Number of slots.</param>
    /// <param name="holder">This holder's identity (unique among live workers).</param>
    /// <param name="ttl">Time to live of an unrenewed lease; the same for every worker of the bucket.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    public static async Task<NatsSlotLease> OpenAsync(INatsJSContext jetStream, string bucket, int slots, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jetStream);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var context = new NatsKVContext(jetStream);
        var store = await context.CreateStoreAsync(new NatsKVConfig(bucket) { History = 1, Storage = NatsKVStorageType.File }, cancellationToken).ConfigureAwait(false);
        return new NatsSlotLease(store, slots, holder, ttl);
    }

    /// <summary>The default lease bucket of a layout: <c>&lt;prefix&gt;-leases</c>, dots of the prefix as dashes.</summary>
    public static string DefaultBucket(NatsLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return layout.Prefix.Replace('.', '-') + "-leases";
    }

    /// <summary>The KV key of slot <paramref name="slot"/>.</summary>
    public static string Key(int slot) => "slot-" + slot.ToString(CultureInfo.InvariantCulture);

    internal static string DefaultHolder() =>
        $"{Environment.MachineName}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Tries to acquire <paramref name="slot"/>: creates its key if free (never held, or released); if held, takes it
    /// over with a revision-checked update only when this instance has seen the same revision for at least
    /// <see cref="Ttl"/> (so a standby must poll a held slot for a whole time to live before a takeover).
    /// </summary>
    /// <returns>True if this instance now holds the slot.</returns>
    /// <exception cref="InvalidOperationException">A slot is already held by this instance.</exception>
    public async Task<bool> TryAcquireAsync(int slot, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, Slots);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Slot is { } held)
            {
                throw new InvalidOperationException($"This lease already holds slot {held} of bucket '{Bucket}'.");
            }

            var key = Key(slot);
            var started = Stopwatch.GetTimestamp();
            var created = await _store.TryCreateAsync(key, Value(), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (created.Success)
            {
                Hold(slot, created.Value, started, takeover: false);
                return true;
            }

            var entry = await _store.TryGetEntryAsync<string>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!entry.Success)
            {
                // Released between the two calls: the next attempt creates it.
                _observed.Remove(slot);
                return false;
            }

            var revision = entry.Value.Revision;
            if (!_observed.TryGetValue(slot, out var seen) || seen.Revision != revision)
            {
                _observed[slot] = (revision, Stopwatch.GetTimestamp());
                return false;
            }

            if (Stopwatch.GetElapsedTime(seen.SeenAt) < Ttl)
            {
                return false;
            }

            started = Stopwatch.GetTimestamp();
            var taken = await _store.TryUpdateAsync(key, Value(), revision, cancellationToken: cancellationToken).ConfigureAwait(false);
            _observed.Remove(slot);
            if (!taken.Success)
            {
                return false; // the holder renewed, or another contender was faster
            }

            Hold(slot, taken.Value, started, takeover: true);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Tries each slot once (in an order that spreads contenders) and returns the one acquired, or null.</summary>
    public async Task<int?> TryAcquireAnyAsync(CancellationToken cancellationToken = default)
    {
        var start = Math.Abs(Holder.GetHashCode(StringComparison.Ordinal) % Slots);
        for (var i = 0; i < Slots; i++)
        {
            var slot = (start + i) % Slots;
            if (await TryAcquireAsync(slot, cancellationToken).ConfigureAwait(false))
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>
    /// Renews the held lease with a revision-checked update (one attempt). A wrong revision (someone took the slot
    /// over) or an expired local deadline marks the lease lost and throws <see cref="NatsLeaseLostException"/>; other
    /// failures (broker unreachable) propagate and may be retried while <see cref="Remaining"/> is positive.
    /// </summary>
    /// <exception cref="InvalidOperationException">No slot is held.</exception>
    /// <exception cref="NatsLeaseLostException">The lease is lost.</exception>
    public async Task RenewAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var slot = Slot ?? throw new InvalidOperationException($"This lease holds no slot of bucket '{Bucket}'.");
            ThrowIfLost(slot);
            if (Remaining <= TimeSpan.Zero)
            {
                throw Lose(slot, $"Lease on slot {slot} of bucket '{Bucket}' expired before it could be renewed (time to live {Ttl}).", null);
            }

            var started = Stopwatch.GetTimestamp();
            var renewed = await _store.TryUpdateAsync(Key(slot), Value(), Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!renewed.Success)
            {
                throw Lose(slot, $"Lease on slot {slot} of bucket '{Bucket}' was taken over by another worker (revision {Revision} is no longer current).", renewed.Error);
            }

            Revision = renewed.Value;
            Volatile.Write(ref _writtenAt, started);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The fencing check before a commit: renews the held lease, retrying transient broker failures until the local
    /// deadline. Returns only if this instance still holds the slot for about another <see cref="Ttl"/>.
    /// </summary>
    /// <exception cref="NatsLeaseLostException">The lease is lost or could not be confirmed in time.</exception>
    public async Task EnsureHeldAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                await RenewAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not NatsLeaseLostException and not InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                var remaining = Remaining;
                if (remaining <= TimeSpan.Zero)
                {
                    var slot = Slot ?? -1;
                    throw Lose(slot, $"Lease on slot {slot} of bucket '{Bucket}' could not be renewed within its time to live: {e.Message}", e);
                }

                await Task.Delay(Min(remaining, TimeSpan.FromMilliseconds(100)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Releases the held slot (revision-checked delete, so a lease already taken over is left alone) so a standby
    /// can take it at once. Does nothing if none is held.
    /// </summary>
    /// <returns>True if the key was deleted; false if none was held, or it had been lost.</returns>
    public async Task<bool> ReleaseAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Slot is not { } slot)
            {
                return false;
            }

            Slot = null;
            if (IsLost)
            {
                return false;
            }

            var deleted = await _store.TryDeleteAsync(Key(slot), new NatsKVDeleteOpts { Revision = Revision }, cancellationToken).ConfigureAwait(false);
            return deleted.Success;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Frees the local lock; the lease itself is released only by <see cref="ReleaseAsync"/>.</summary>
    public void Dispose() => _gate.Dispose();

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void Hold(int slot, ulong revision, long startedAt, bool takeover)
    {
        Slot = slot;
        Revision = revision;
        TookOver = takeover;
        Volatile.Write(ref _writtenAt, startedAt);
        Volatile.Write(ref _lost, 0);
        NatsMetrics.LeaseAcquisitions.Add(1);
        if (takeover)
        {
            NatsMetrics.LeaseTakeovers.Add(1);
        }
    }

    private void ThrowIfLost(int slot)
    {
        if (IsLost)
        {
            throw new NatsLeaseLostException($"Lease on slot {slot} of bucket '{Bucket}' was lost.") { Slot = slot };
        }
    }

    private NatsLeaseLostException Lose(int slot, string message, Exception? cause)
    {
        if (Interlocked.Exchange(ref _lost, 1) == 0)
        {
            NatsMetrics.LeaseLosses.Add(1);
        }

        return cause is null ? new NatsLeaseLostException(message) { Slot = slot } : new NatsLeaseLostException(message, cause) { Slot = slot };
    }

    private string Value() =>
        string.Create(CultureInfo.InvariantCulture, $"holder={Holder};renewed={DateTimeOffset.UtcNow:O};ttl_ms={(long)Ttl.TotalMilliseconds}");
}
