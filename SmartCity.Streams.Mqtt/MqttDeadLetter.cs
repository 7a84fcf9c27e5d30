namespace SmartCity.Streams.Mqtt;

/// <summary>An MQTT message that could not be turned into readings; it is acknowledged, counted and reported, never retried.</summary>
/// <param name="Topic">Topic it arrived on.</param>
/// <param name="Reason">Why it was rejected (unknown topic, oversized, bad JSON, bad CSV).</param>
/// <param name="Payload">The payload (truncated to 1 KiB).</param>
public sealed record MqttDeadLetter(string Topic, string Reason, byte[] Payload);
