using System.Diagnostics.Metrics;

namespace SmartCity.Streams.Nats;

/// <summary>Metrics of the NATS connector (meter "SmartCity.Streams.Nats").</summary>
internal static class NatsMetrics
{
    public const string MeterName = "SmartCity.Streams.Nats";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("scs.nats.dead_letters", "{message}", "Input messages rejected to the dead-letter output");

    public static readonly Counter<long> Reseeks = Meter.CreateCounter<long>("scs.nats.consumer_reseeks", "{reseek}", "Durable consumers recreated after a delivery gap or a broker fault");

    public static readonly Counter<long> LeaseAcquisitions = Meter.CreateCounter<long>("scs.nats.lease_acquisitions", "{lease}", "Slot leases acquired (free slots and takeovers)");

    public static readonly Counter<long> LeaseTakeovers = Meter.CreateCounter<long>("scs.nats.lease_takeovers", "{lease}", "Slot leases taken over from a holder that stopped renewing");

    public static readonly Counter<long> LeaseLosses = Meter.CreateCounter<long>("scs.nats.lease_losses", "{lease}", "Slot leases lost by their holder (taken over, or not renewable within the time to live)");
}
