using System.Threading.Channels;
using Apache.Arrow;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Nats;

/// <summary>
/// Reads a set of partitions of a <see cref="NatsLayout"/> through one durable pull consumer per partition subject
/// (singular <c>FilterSubject</c>: nats-server 2.9 ignores the plural form). Positions are stream sequences;
/// messages are acknowledged only when a checkpoint covering them completes (<see cref="CommitAsync"/>).
/// </summary>
/// <remarks>
/// <para>Resuming (<see cref="SeekAsync"/>) recreates each consumer to start right after the checkpointed
/// sequence, so the replay is exactly the messages after the checkpoint, in order. A delivery gap (a pull lost in a
/// broker restart) or a consumer error recreates the consumer from the last checkpoint; messages already handed
/// to the pipeline are recognised by their stream sequence and not handed out twice.</para>
/// <para>Unreadable messages (corrupt IPC, wrong schema, oversized) go to the dead-letter output and are counted;
/// reading continues.</para>
/// </remarks>
public sealed class NatsPartitionSource : BatchSource, IResumableSource
{
    private readonly INatsJSContext _jetStream;
    private readonly NatsSourceOptions _options;
    private readonly PartitionReader[] _readers;
    private readonly CancellationTokenSource _stop = new();
    private SourceBatch _current;
    private int _next;
    private bool _started;

    /// <summary>Creates a source over <paramref name="partitions"/> (global partition numbers of <paramref name="layout"/>).</summary>
    public NatsPartitionSource(INatsJSContext jetStream, NatsLayout layout, IReadOnlyList<int> partitions, NatsSourceOptions? options = null)
    {
        _jetStream = jetStream ?? throw new ArgumentNullException(nameof(jetStream));
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 0 || partitions.Distinct().Count() != partitions.Count)
        {
            throw new ArgumentException("Give at least one partition, each once.", nameof(partitions));
        }

        _options = options ?? new NatsSourceOptions();
        Partitions = [.. partitions];
        _readers = [.. partitions.Select((p, i) => new PartitionReader(this, i, p))];
    }

    /// <summary>The layout read.</summary>
    public NatsLayout Layout { get; }

    /// <summary>The global partition numbers read; local partition i of the batches is <c>Partitions[i]</c>.</summary>
    public IReadOnlyList<int> Partitions { get; }

    /// <inheritdoc />
    public override int PartitionCount => _readers.Length;

    /// <inheritdoc />
    public override bool PartitionsByKey => true;

    /// <inheritdoc />
    public override SourceBatch Current => _current;

    /// <summary>Messages dead-lettered.</summary>
    public long MessagesRejected { get; private set; }

    /// <summary>Input messages turned into batches.</summary>
    public long MessagesRead { get; private set; }

    /// <summary>Times a consumer was recreated after a gap or an error (broker restarts show here).</summary>
    public long Reseeks => _readers.Sum(r => r.Reseeks);

    /// <inheritdoc />
    public ValueTask SeekAsync(IReadOnlyList<long> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (_started)
        {
            throw new InvalidOperationException("Seek before reading the first batch.");
        }

        if (positions.Count != _readers.Length)
        {
            throw new ArgumentException($"Expected {_readers.Length} positions, got {positions.Count}.", nameof(positions));
        }

        for (var i = 0; i < _readers.Length; i++)
        {
            var position = (ulong)Math.Max(0, positions[i]);
            _readers[i].Committed = position;
            _readers[i].Last = position;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask CommitAsync(IReadOnlyList<long> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        for (var i = 0; i < _readers.Length; i++)
        {
            if (positions[i] > 0)
            {
                await _readers[i].CommitAsync((ulong)positions[i]).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            _started = true;
            foreach (var reader in _readers)
            {
                reader.Start(_stop.Token);
            }
        }

        var lastArrival = DateTime.UtcNow;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var attempt = 0; attempt < _readers.Length; attempt++)
            {
                var reader = _readers[_next];
                _next = (_next + 1) % _readers.Length;
                if (!reader.Channel.Reader.TryRead(out var message))
                {
                    continue;
                }

                lastArrival = DateTime.UtcNow;
                var batch = await DecodeAsync(reader, message, cancellationToken).ConfigureAwait(false);
                if (batch is not null)
                {
                    MessagesRead++;
                    _current = new SourceBatch(batch, reader.Local, (long)message.Sequence);
                    return true;
                }
            }

            var waits = _readers.Select(r => (Task)r.Channel.Reader.WaitToReadAsync(cancellationToken).AsTask()).ToList();
            var remaining = _options.EndWhenIdleFor is { } idle ? idle - (DateTime.UtcNow - lastArrival) : Timeout.InfiniteTimeSpan;
            if (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
            {
                return false;
            }

            var delay = Task.Delay(remaining, cancellationToken);
            waits.Add(delay);
            var done = await Task.WhenAny(waits).ConfigureAwait(false);
            if (done == delay)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return false;
            }

            await done.ConfigureAwait(false); // surfaces cancellation
        }
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var reader in _readers)
        {
            await reader.StopAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            foreach (var reader in _readers)
            {
                reader.StopAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
            }

            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<RecordBatch?> DecodeAsync(PartitionReader reader, Delivered message, CancellationToken cancellationToken)
    {
        string reason;
        if (message.Data.Length > _options.MaxMessageBytes)
        {
            reason = $"oversized: {message.Data.Length} bytes > {_options.MaxMessageBytes}";
        }
        else
        {
            try
            {
                var batch = ArrowIpc.Decode(message.Data);
                var mismatch = _options.ExpectedSchema is { } expected ? SchemaMismatch(expected, batch.Schema) : null;
                if (mismatch is null)
                {
                    return batch;
                }

                batch.Dispose();
                reason = "wrong schema: " + mismatch;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                reason = $"corrupt Arrow IPC: {e.GetType().Name}: {e.Message}";
            }
        }

        MessagesRejected++;
        var letter = new NatsDeadLetter(Layout.PartitionSubject(reader.Partition), message.Sequence, reason, message.Data.Length);
        NatsMetrics.DeadLetters.Add(1, new KeyValuePair<string, object?>("subject", letter.Subject));
        _options.OnDeadLetter?.Invoke(letter);
        if (_options.PublishDeadLetters)
        {
            var headers = new NatsHeaders { ["Scs-Reason"] = reason, ["Scs-Subject"] = letter.Subject, ["Scs-Sequence"] = letter.StreamSequence.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            await NatsPublishing.PublishWithRetryAsync(_jetStream, Layout.DeadLetterSubject, message.Data.ToArray(), $"dlq/{Layout.BatchStream}/{message.Sequence}", cancellationToken, headers).ConfigureAwait(false);
        }

        return null;
    }

    private static string? SchemaMismatch(Schema expected, Schema actual)
    {
        foreach (var field in expected.FieldsList)
        {
            var found = actual.GetFieldIndex(field.Name);
            if (found < 0)
            {
                return $"no column '{field.Name}' (columns: {string.Join(", ", actual.FieldsList.Select(f => f.Name))})";
            }

            var type = actual.GetFieldByIndex(found).DataType;
            if (type.TypeId != field.DataType.TypeId)
            {
                return $"column '{field.Name}' is {type.Name}, expected {field.DataType.Name}";
            }
        }

        return null;
    }

    private readonly record struct Delivered(ulong Sequence, ReadOnlyMemory<byte> Data);

    private sealed class PartitionReader(NatsPartitionSource owner, int local, int partition)
    {
        private readonly List<INatsJSMsg<byte[]>> _unacked = [];
        private Task _loop = Task.CompletedTask;

        public int Local { get; } = local;

        public int Partition { get; } = partition;

        public Channel<Delivered> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<Delivered>(
            new BoundedChannelOptions(owner._options.Buffer) { SingleReader = true, SingleWriter = true });

        /// <summary>Stream sequence covered by the last completed checkpoint (0: none).</summary>
        public ulong Committed { get; set; }

        /// <summary>Newest stream sequence handed to the pipeline.</summary>
        public ulong Last { get; set; }

        public long Reseeks { get; private set; }

        private string Durable => $"{owner._options.ConsumerName}-p{Partition}";

        public void Start(CancellationToken stop) => _loop = Task.Run(() => RunAsync(stop), CancellationToken.None);

        public async ValueTask StopAsync()
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask CommitAsync(ulong position)
        {
            List<INatsJSMsg<byte[]>> toAck;
            lock (_unacked)
            {
                if (position <= Committed)
                {
                    return;
                }

                Committed = position;
                var count = _unacked.FindIndex(m => m.Metadata!.Value.Sequence.Stream > position);
                count = count < 0 ? _unacked.Count : count;
                toAck = _unacked.GetRange(0, count);
                _unacked.RemoveRange(0, count);
            }

            foreach (var message in toAck)
            {
                try
                {
                    await message.AckAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is NatsException or ObjectDisposedException)
                {
                    // The checkpoint is durable; a lost ack only means the next start re-creates the consumer from it.
                }
            }
        }

        private async Task RunAsync(CancellationToken stop)
        {
            var first = true;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (!first)
                    {
                        Reseeks++;
                        NatsMetrics.Reseeks.Add(1);
                        await Task.Delay(TimeSpan.FromMilliseconds(250), stop).ConfigureAwait(false);
                    }

                    first = false;
                    await ConsumeFromCommittedAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException or InvalidOperationException)
                {
                    // Broker unreachable or consumer lost: recreate it from the last checkpoint after a pause.
                }
            }
        }

        private async Task ConsumeFromCommittedAsync(CancellationToken stop)
        {
            ulong start;
            lock (_unacked)
            {
                _unacked.Clear();
                start = Committed + 1;
            }

            var js = owner._jetStream;
            var stream = owner.Layout.BatchStream;
            try
            {
                await js.DeleteConsumerAsync(stream, Durable, stop).ConfigureAwait(false);
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
            }

            var config = new ConsumerConfig(Durable)
            {
                FilterSubject = owner.Layout.PartitionSubject(Partition),
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                AckWait = owner._options.AckWait,
                MaxAckPending = 1_000_000,
                DeliverPolicy = start <= 1 ? ConsumerConfigDeliverPolicy.All : ConsumerConfigDeliverPolicy.ByStartSequence,
            };
            if (start > 1)
            {
                config.OptStartSeq = start;
            }

            var consumer = await js.CreateOrUpdateConsumerAsync(stream, config, stop).ConfigureAwait(false);
            ulong expected = 1;
            var opts = new NatsJSConsumeOpts { MaxMsgs = owner._options.PullBatch, IdleHeartbeat = TimeSpan.FromSeconds(1), Expires = TimeSpan.FromSeconds(5) };
            await foreach (var message in consumer.ConsumeAsync<byte[]>(opts: opts, cancellationToken: stop).ConfigureAwait(false))
            {
                var sequence = message.Metadata!.Value.Sequence;
                if (sequence.Consumer != expected)
                {
                    // A delivery was lost (broker restart during a pull) or the consumer was reset: start over from the checkpoint.
                    return;
                }

                expected++;
                lock (_unacked)
                {
                    _unacked.Add(message);
                }

                if (sequence.Stream <= Last)
                {
                    continue; // replayed after a reseek: the pipeline already has it
                }

                Last = sequence.Stream;
                await Channel.Writer.WriteAsync(new Delivered(sequence.Stream, message.Data ?? []), stop).ConfigureAwait(false);
            }
        }
    }
}
