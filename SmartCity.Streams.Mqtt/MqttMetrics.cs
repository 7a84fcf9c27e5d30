using System.Diagnostics.Metrics;

namespace SmartCity.Streams.Mqtt;

/// <summary>Metrics of the MQTT connector (meter "SmartCity.Streams.Mqtt").</summary>
internal static class MqttMetrics
{
    public const string MeterName = "SmartCity.Streams.Mqtt";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("scs.mqtt.dead_letters", "{message}", "MQTT messages rejected to the dead-letter output");

    public static readonly Counter<long> Readings = Meter.CreateCounter<long>("scs.mqtt.readings", "{reading}", "Readings received over MQTT");

    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("scs.mqtt.reconnects", "{reconnect}", "Reconnections to the broker");
}
