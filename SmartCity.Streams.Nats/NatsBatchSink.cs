using System.Globalization;
using Apache.Arrow;
using NATS.Client.JetStream;

namespace SmartCity.Streams.Nats;

/// <summary>
/// Publishes record batches to JetStream, Arrow IPC-encoded, one message per batch and partition: the rows of a
/// batch are split by the engine's key hash of <see cref="KeyColumn"/> onto <c>&lt;prefix&gt;.&lt;partition&gt;</c>.
/// Each message carries a message id, so a producer that republishes after a crash (same ids) creates no duplicates.
/// </summary>
public sealed class NatsBatchSink
{
    private readonly INatsJSContext _jetStream;
    private long _counter;

    /// <summary>Creates a sink.</summary>
    /// <param name="jetStream">The JetStream context.</param>
    /// <param name="layout">Subjects and streams (create them first with <see cref="NatsLayout.EnsureStreamsAsync"/>).</param>
    /// <param name="keyColumn">The sensor id column the rows are partitioned by.</param>
    /// <param name="producerId">Prefix of generated message ids; must be unique per producer.</param>
    public NatsBatchSink(INatsJSContext jetStream, NatsLayout layout, string keyColumn, string producerId)
    {
        _jetStream = jetStream ?? throw new ArgumentNullException(nameof(jetStream));
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
        ArgumentException.ThrowIfNullOrWhiteSpace(keyColumn);
        ArgumentException.ThrowIfNullOrWhiteSpace(producerId);
        KeyColumn = keyColumn;
        ProducerId = producerId;
    }

    /// <summary>The layout.</summary>
    public NatsLayout Layout { get; }

    /// <summary>The key column.</summary>
    public string KeyColumn { get; }

    /// <summary>Prefix of generated message ids.</summary>
    public string ProducerId { get; }

    /// <summary>Messages published.</summary>
    public long MessagesPublished { get; private set; }

    /// <summary>Messages the server recognised as duplicates (already stored under the same id).</summary>
    public long Duplicates { get; private set; }

    /// <summary>Bytes published.</summary>
    public long BytesPublished { get; private set; }

    /// <summary>
    /// Splits <paramref name="batch"/> by key partition and publishes each part. <paramref name="batchId"/> names the
    /// batch deterministically (its message ids are <c>batchId/partition</c>); null numbers it from a counter.
    /// Waits for the stream's acknowledgements.
    /// </summary>
    public async Task PublishAsync(RecordBatch batch, string? batchId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batchId ??= ProducerId + "-" + (++_counter).ToString(CultureInfo.InvariantCulture);
        var parts = BatchSplitter.Split(batch, KeyColumn, Layout.Partitions);
        var pending = new List<Task>(parts.Length);
        for (var p = 0; p < parts.Length; p++)
        {
            if (parts[p] is { } part)
            {
                pending.Add(PublishPartitionAsync(part, p, $"{batchId}/{p}", cancellationToken));
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Publishes a batch whose rows all belong to <paramref name="partition"/> (not checked) under message id <paramref name="messageId"/>.</summary>
    public async Task PublishPartitionAsync(RecordBatch batch, int partition, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        var data = ArrowIpc.Encode(batch);
        var duplicate = await NatsPublishing.PublishWithRetryAsync(_jetStream, Layout.PartitionSubject(partition), data, messageId, cancellationToken).ConfigureAwait(false);
        lock (_jetStream)
        {
            MessagesPublished++;
            BytesPublished += data.Length;
            if (duplicate)
            {
                Duplicates++;
            }
        }
    }
}
