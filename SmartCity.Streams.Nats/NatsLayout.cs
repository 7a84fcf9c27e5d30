using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Nats;

/// <summary>
/// Where a city's data lives on JetStream: input batches on subjects <c>&lt;prefix&gt;.&lt;partition&gt;</c> (stream
/// <see cref="BatchStream"/>), events on <c>&lt;prefix&gt;.events.&lt;kind&gt;</c> (stream <see cref="EventStream"/>),
/// messages that could not be read on <c>&lt;prefix&gt;.deadletter</c>.
/// </summary>
/// <remarks>
/// The input stream's subjects are <c>&lt;prefix&gt;.*</c> (two tokens) and the event stream's
/// <c>&lt;prefix&gt;.events.&gt;</c> (three or more), so the two never overlap, as JetStream requires.
/// </remarks>
public sealed record NatsLayout
{
    /// <summary>Creates a layout.</summary>
    /// <param name="prefix">Subject prefix, one or more dot-separated tokens without wildcards (e.g. "city").</param>
    /// <param name="partitions">Number of key-hash partitions (fixed for the life of the data).</param>
    public NatsLayout(string prefix, int partitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        if (prefix.AsSpan().IndexOfAny("*> \t") >= 0 || prefix.StartsWith('.') || prefix.EndsWith('.'))
        {
            throw new ArgumentException($"Subject prefix '{prefix}' must be dot-separated tokens without wildcards or spaces.", nameof(prefix));
        }

        Prefix = prefix;
        Partitions = partitions;
        var stem = prefix.Replace('.', '_').ToUpperInvariant();
        BatchStream = stem + "_BATCHES";
        EventStream = stem + "_EVENTS";
    }

    /// <summary>Subject prefix.</summary>
    public string Prefix { get; }

    /// <summary>Number of partitions.</summary>
    public int Partitions { get; }

    /// <summary>Name of the stream holding the input batches and dead letters.</summary>
    public string BatchStream { get; init; }

    /// <summary>Name of the stream holding the events.</summary>
    public string EventStream { get; init; }

    /// <summary>How long JetStream remembers message ids to drop duplicates (republished batches, replayed events). Default 10 minutes.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Subject of partition <paramref name="partition"/>.</summary>
    public string PartitionSubject(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, Partitions);
        return $"{Prefix}.{partition}";
    }

    /// <summary>Subject of events of <paramref name="kind"/> (e.g. <c>city.events.risk</c>).</summary>
    public string EventSubject(EventKind kind) => $"{Prefix}.events.{kind.ToString().ToLowerInvariant()}";

    /// <summary>Subject of dead letters.</summary>
    public string DeadLetterSubject => $"{Prefix}.deadletter";

    /// <summary>Creates (or updates) both streams: file storage, the duplicate window above.</summary>
    public async Task EnsureStreamsAsync(INatsJSContext jetStream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jetStream);
        await jetStream.CreateOrUpdateStreamAsync(new StreamConfig(BatchStream, [Prefix + ".*"])
        {
            Storage = StreamConfigStorage.File,
            DuplicateWindow = DuplicateWindow,
        }, cancellationToken).ConfigureAwait(false);
        await jetStream.CreateOrUpdateStreamAsync(new StreamConfig(EventStream, [Prefix + ".events.>"])
        {
            Storage = StreamConfigStorage.File,
            DuplicateWindow = DuplicateWindow,
        }, cancellationToken).ConfigureAwait(false);
    }
}
