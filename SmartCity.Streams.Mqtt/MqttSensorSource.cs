using System.Threading.Channels;
using Apache.Arrow;
using Apache.Arrow.Types;
using MQTTnet;
using MQTTnet.Protocol;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Mqtt;

/// <summary>
/// Subscribes to sensor topics with QoS 1 under a persistent session and micro-batches the readings into Arrow
/// record batches (by <see cref="MqttSourceOptions.BatchSize"/> rows or <see cref="MqttSourceOptions.MaxDelay"/>).
/// </summary>
/// <remarks>
/// <para>A message is acknowledged to the broker only when the pipeline has released the batch holding its
/// readings, so a crash or a disconnect before that gets it redelivered: at-least-once into the pipeline. After a
/// disconnect (broker restart) the source reconnects by itself with the same client id and session, so the broker
/// delivers what it queued meanwhile (mosquitto: raise <c>max_queued_messages</c>, default 1,000, and keep
/// <c>persistence true</c>; its in-flight window <c>max_inflight_messages</c> bounds unacknowledged deliveries).</para>
/// <para>MQTT cannot replay from a position, so this source is not resumable from checkpoints; for exactly-once
/// processing, land the batches in JetStream first (SmartCity.Streams.Nats) and run the pipeline from there.</para>
/// <para>Malformed messages (unknown topic, oversized, bad JSON or CSV) go to the dead-letter output with the
/// reason, are counted and acknowledged; reading continues.</para>
/// </remarks>
public sealed class MqttSensorSource : BatchSource
{
    private readonly MqttSourceOptions _options;
    private readonly ReadingParser _parser;
    private readonly Channel<Incoming> _incoming = Channel.CreateUnbounded<Incoming>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<RecordBatch, List<MqttApplicationMessageReceivedEventArgs>> _unacked = new(ReferenceEqualityComparer.Instance);
    private readonly CancellationTokenSource _stop = new();
    private readonly Schema _schema;
    private readonly IMqttClient _client;
    private readonly object _gate = new();
    private Incoming? _carry;
    private SourceBatch _current;
    private long _batches;
    private long _messages;
    private long _rejected;
    private long _reconnects;
    private Task _reconnecting = Task.CompletedTask;

    /// <summary>Creates the source; call <see cref="StartAsync"/> to connect.</summary>
    public MqttSensorSource(MqttSourceOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ClientId);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.KeySegment);
        if (options.Topics.Count == 0 || options.Measures.Count == 0)
        {
            throw new ArgumentException("At least one topic filter and one measure are required.", nameof(options));
        }

        _parser = new ReadingParser(options);
        var builder = new Schema.Builder()
            .Field(f => f.Name(options.KeyColumn).DataType(Int64Type.Default).Nullable(false))
            .Field(f => f.Name(options.TimeColumn).DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(false));
        foreach (var measure in options.Measures)
        {
            builder.Field(f => f.Name(measure).DataType(DoubleType.Default).Nullable(false));
        }

        _schema = builder.Build();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <inheritdoc />
    public override Schema Schema => _schema;

    /// <inheritdoc />
    public override SourceBatch Current => _current;

    /// <summary>Messages received (including dead letters).</summary>
    public long MessagesReceived => Interlocked.Read(ref _messages);

    /// <summary>Messages dead-lettered.</summary>
    public long MessagesRejected => Interlocked.Read(ref _rejected);

    /// <summary>Reconnections after a lost connection.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>True while connected to the broker.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects, resuming the session if the broker kept it, and subscribes.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default) => await ConnectAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        var sensors = new List<long>(_options.BatchSize);
        var times = new List<long>(_options.BatchSize);
        var values = new List<double>[_options.Measures.Count];
        for (var m = 0; m < values.Length; m++)
        {
            values[m] = new List<double>(_options.BatchSize);
        }

        var acks = new List<MqttApplicationMessageReceivedEventArgs>();
        DateTime? firstAt = null;
        var idleSince = DateTime.UtcNow;
        while (true)
        {
            if (firstAt is { } first && (sensors.Count >= _options.BatchSize || DateTime.UtcNow - first >= _options.MaxDelay))
            {
                break;
            }

            var incoming = _carry;
            _carry = null;
            if (incoming is null && !_incoming.Reader.TryRead(out incoming))
            {
                var wait = firstAt is { } f ? _options.MaxDelay - (DateTime.UtcNow - f)
                    : _options.EndWhenIdleFor is { } idle ? idle - (DateTime.UtcNow - idleSince)
                    : Timeout.InfiniteTimeSpan;
                if (wait != Timeout.InfiniteTimeSpan && wait <= TimeSpan.Zero)
                {
                    if (firstAt is null)
                    {
                        return false; // idle end
                    }

                    continue;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (wait != Timeout.InfiniteTimeSpan)
                {
                    timeout.CancelAfter(wait);
                }

                try
                {
                    await _incoming.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }

                continue;
            }

            idleSince = DateTime.UtcNow;
            if (incoming.DeadLetter is { } letter)
            {
                Interlocked.Increment(ref _rejected);
                MqttMetrics.DeadLetters.Add(1, new KeyValuePair<string, object?>("reason", letter.Reason.Split(':')[0]));
                _options.OnDeadLetter?.Invoke(letter);
                await AcknowledgeAsync([incoming.Message]).ConfigureAwait(false);
                continue;
            }

            if (sensors.Count > 0 && sensors.Count + incoming.Readings!.Count > _options.BatchSize)
            {
                _carry = incoming; // keep a message's readings in one batch
                break;
            }

            foreach (var reading in incoming.Readings!)
            {
                sensors.Add(reading.Sensor);
                times.Add(reading.Time);
                for (var m = 0; m < values.Length; m++)
                {
                    values[m].Add(reading.Values[m]);
                }
            }

            acks.Add(incoming.Message);
            firstAt ??= DateTime.UtcNow;
        }

        var columns = new IArrowArray[2 + values.Length];
        columns[0] = new Int64Array.Builder().AppendRange(sensors).Build();
        var timeBuilder = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC"));
        foreach (var t in times)
        {
            timeBuilder.Append(Batches.EventTime.ToDateTimeOffset(t));
        }

        columns[1] = timeBuilder.Build();
        for (var m = 0; m < values.Length; m++)
        {
            columns[2 + m] = new DoubleArray.Builder().AppendRange(values[m]).Build();
        }

        var batch = new RecordBatch(_schema, columns, sensors.Count);
        lock (_gate)
        {
            _unacked[batch] = acks;
        }

        MqttMetrics.Readings.Add(sensors.Count);
        _current = new SourceBatch(batch, 0, ++_batches);
        return true;
    }

    /// <summary>The pipeline is done with the batch: acknowledge its messages to the broker, then dispose it.</summary>
    public override void Release(in SourceBatch batch)
    {
        List<MqttApplicationMessageReceivedEventArgs>? acks;
        lock (_gate)
        {
            _unacked.Remove(batch.Batch, out acks);
        }

        if (acks is not null)
        {
            AcknowledgeAsync(acks).AsTask().GetAwaiter().GetResult();
        }

        batch.Batch.Dispose();
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _reconnecting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build()).ConfigureAwait(false);
        }

        _client.Dispose();
        _stop.Dispose();
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stop.IsCancellationRequested)
        {
            DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private async ValueTask AcknowledgeAsync(List<MqttApplicationMessageReceivedEventArgs> messages)
    {
        foreach (var message in messages)
        {
            if (!_client.IsConnected)
            {
                return; // the broker redelivers unacknowledged messages when the session resumes
            }

            try
            {
                await message.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or ObjectDisposedException or InvalidOperationException or NullReferenceException)
            {
                // Connection gone (MQTTnet 5 throws NullReferenceException when the channel is already closed): the broker redelivers the message in the resumed session.
            }
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum(ushort.MaxValue)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        var result = await _client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        if (!result.IsSessionPresent)
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var topic in _options.Topics)
            {
                subscribe.WithTopicFilter(f => f.WithTopic(topic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
            }

            await _client.SubscribeAsync(subscribe.Build(), cancellationToken).ConfigureAwait(false);
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        Interlocked.Increment(ref _messages);
        var message = e.ApplicationMessage;
        var readings = new List<ReadingParser.Reading>();
        var reason = _parser.TryParse(message.Topic, message.Payload, readings);
        var incoming = reason is null
            ? new Incoming(e, readings, null)
            : new Incoming(e, null, new MqttDeadLetter(message.Topic, reason, System.Buffers.BuffersExtensions.ToArray(message.Payload.Slice(0, Math.Min(1024, message.Payload.Length)))));
        _incoming.Writer.TryWrite(incoming);
        return Task.CompletedTask;
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (!_stop.IsCancellationRequested && e.ClientWasConnected)
        {
            _reconnecting = Task.Run(ReconnectAsync);
        }

        return Task.CompletedTask;
    }

    private async Task ReconnectAsync()
    {
        while (!_stop.IsCancellationRequested && !_client.IsConnected)
        {
            try
            {
                await Task.Delay(_options.ReconnectDelay, _stop.Token).ConfigureAwait(false);
                await ConnectAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _reconnects);
                MqttMetrics.Reconnects.Add(1);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
            {
                // Broker still down: try again.
            }
        }
    }

    private sealed record Incoming(MqttApplicationMessageReceivedEventArgs Message, List<ReadingParser.Reading>? Readings, MqttDeadLetter? DeadLetter);
}
