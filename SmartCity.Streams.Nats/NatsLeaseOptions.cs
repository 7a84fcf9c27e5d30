namespace SmartCity.Streams.Nats;

/// <summary>Slot leases of <see cref="NatsWorker.RunWithLeaseAsync"/> (see <see cref="NatsSlotLease"/>).</summary>
public sealed record NatsLeaseOptions
{
    /// <summary>
    /// Number of assignment slots; slot i owns the partitions of <see cref="NatsWorker.StaticAssignment"/>(partitions,
    /// slots, i) and its checkpoint. Fixed for the life of the checkpoints (like the partition count). Start more
    /// worker processes than slots to have standbys.
    /// </summary>
    public required int Slots { get; init; }

    /// <summary>KV bucket of the leases. Default: <c>&lt;prefix&gt;-leases</c> (dots of the prefix become dashes).</summary>
    public string? Bucket { get; init; }

    /// <summary>
    /// This worker's identity in the lease values, for operators (the protocol itself relies on revisions only).
    /// Default: machine, process id and a random suffix, drawn once per options instance: give each worker its own
    /// when several share one instance.
    /// </summary>
    public string Holder { get; init; } = NatsSlotLease.DefaultHolder();

    /// <summary>
    /// A lease not renewed for this long may be taken over by another worker. Every worker of a pipeline must use
    /// the same value. Default 10 seconds.
    /// </summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the holder renews. Default: a third of <see cref="Ttl"/>.</summary>
    public TimeSpan? RenewEvery { get; init; }

    /// <summary>How often a standby looks for a free or stale slot. Default 1 second.</summary>
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(1);

    internal TimeSpan RenewInterval => RenewEvery ?? Ttl / 3;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Slots, 1, nameof(Slots));
        ArgumentException.ThrowIfNullOrWhiteSpace(Holder, nameof(Holder));
        if (Ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Ttl), $"NatsLeaseOptions.Ttl must be positive (got {Ttl}).");
        }

        if (RenewInterval <= TimeSpan.Zero || RenewInterval >= Ttl)
        {
            throw new ArgumentOutOfRangeException(nameof(RenewEvery), $"NatsLeaseOptions.RenewEvery must be positive and shorter than Ttl {Ttl} (got {RenewInterval}).");
        }

        if (PollEvery <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PollEvery), $"NatsLeaseOptions.PollEvery must be positive (got {PollEvery}).");
        }
    }
}
