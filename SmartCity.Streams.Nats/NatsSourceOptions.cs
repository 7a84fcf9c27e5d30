using Apache.Arrow;

namespace SmartCity.Streams.Nats;

/// <summary>Options of a <see cref="NatsPartitionSource"/>.</summary>
public sealed record NatsSourceOptions
{
    /// <summary>Durable consumer names are <c>&lt;ConsumerName&gt;-p&lt;partition&gt;</c>. Default "scs".</summary>
    public string ConsumerName { get; init; } = "scs";

    /// <summary>Messages pulled per request. Default 64.</summary>
    public int PullBatch { get; init; } = 64;

    /// <summary>Messages buffered per partition ahead of the pipeline. Default 32.</summary>
    public int Buffer { get; init; } = 32;

    /// <summary>End the stream when no message arrived for this long (batch jobs, tests). Default: never.</summary>
    public TimeSpan? EndWhenIdleFor { get; init; }

    /// <summary>
    /// How long the server waits for an acknowledgement before redelivering. Messages are acknowledged only at
    /// checkpoints, so keep it well above the checkpoint interval. Default 5 minutes.
    /// </summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Messages larger than this are dead-lettered without decoding. Default 64 MiB.</summary>
    public int MaxMessageBytes { get; init; } = 64 << 20;

    /// <summary>When set, a batch lacking one of these fields (by name and type) is dead-lettered instead of failing the pipeline.</summary>
    public Schema? ExpectedSchema { get; init; }

    /// <summary>Called for every dead letter (on the pipeline's thread).</summary>
    public Action<NatsDeadLetter>? OnDeadLetter { get; init; }

    /// <summary>Also publish dead letters (original payload, reason in headers) to <see cref="NatsLayout.DeadLetterSubject"/>. Default true.</summary>
    public bool PublishDeadLetters { get; init; } = true;
}
