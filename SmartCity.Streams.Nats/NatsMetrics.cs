using System.Diagnostics.Metrics;

namespace SmartCity.Streams.Nats;

/// <summary>Metrics of the NATS connector (meter "SmartCity.Streams.Nats").</summary>
internal static class NatsMetrics
{
    public const string MeterName = "SmartCity.Streams.Nats";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("scs.nats.dead_letters", "{message}", "Input messages rejected to the dead-letter output");

    public static readonly Counter<long> Reseeks = Meter.CreateCounter<long>("scs.nats.consumer_reseeks", "{reseek}", "Durable consumers recreated after a delivery gap or a broker fault");
}
