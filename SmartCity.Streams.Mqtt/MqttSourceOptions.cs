namespace SmartCity.Streams.Mqtt;

/// <summary>Options of an <see cref="MqttSensorSource"/>.</summary>
/// <remarks>
/// Topics map to keys by position: with <see cref="KeySegment"/> = 2, a reading on <c>city/north/1042</c> belongs
/// to sensor 1042. A payload is a JSON object (<c>{"time": ..., "speed": 52.5}</c>), a JSON array of such objects,
/// or CSV lines <c>time,measure1,measure2,...</c> in the order of <see cref="Measures"/>. Times are microseconds
/// since the Unix epoch or ISO 8601 strings.
/// </remarks>
public sealed record MqttSourceOptions
{
    /// <summary>Broker host. Default 127.0.0.1.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Broker port. Default 1883.</summary>
    public int Port { get; init; } = 1883;

    /// <summary>Client id: the broker keeps the session (subscriptions, queued QoS 1 messages) under it.</summary>
    public required string ClientId { get; init; }

    /// <summary>Topic filters subscribed with QoS 1. Default <c>city/#</c>.</summary>
    public IReadOnlyList<string> Topics { get; init; } = ["city/#"];

    /// <summary>Index of the topic segment holding the integer sensor id. Default 2.</summary>
    public int KeySegment { get; init; } = 2;

    /// <summary>When set, a topic must have exactly this many segments (else: unknown topic).</summary>
    public int? TopicSegments { get; init; }

    /// <summary>Name of the key column of the batches. Default "sensor".</summary>
    public string KeyColumn { get; init; } = "sensor";

    /// <summary>Name of the event time column. Default "time".</summary>
    public string TimeColumn { get; init; } = "time";

    /// <summary>Measure columns (double) read from each reading. Default ["speed"].</summary>
    public IReadOnlyList<string> Measures { get; init; } = ["speed"];

    /// <summary>A batch is emitted when it has this many rows. Default 1,000.</summary>
    public int BatchSize { get; init; } = 1_000;

    /// <summary>... or when its first row waited this long. Default 200 ms.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Messages larger than this are dead-lettered. Default 256 KiB.</summary>
    public int MaxPayloadBytes { get; init; } = 256 << 10;

    /// <summary>How long the broker keeps the session while the client is away. Default 1 hour.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Pause between reconnection attempts. Default 500 ms.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>End the stream when nothing arrived for this long (tests, batch jobs). Default: never.</summary>
    public TimeSpan? EndWhenIdleFor { get; init; }

    /// <summary>Called for every dead letter (on the pipeline's thread).</summary>
    public Action<MqttDeadLetter>? OnDeadLetter { get; init; }
}
