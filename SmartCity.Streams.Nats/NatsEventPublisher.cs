using System.Buffers;
using System.Globalization;
using System.Text.Json;
using NATS.Client.JetStream;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Nats;

/// <summary>
/// An event sink that publishes events to <c>&lt;prefix&gt;.events.&lt;kind&gt;</c> as small JSON documents, with the
/// event's deterministic id as JetStream message id: an event replayed after a restart from a checkpoint is
/// dropped by the server's deduplication (within <see cref="NatsLayout.DuplicateWindow"/>).
/// </summary>
/// <remarks>
/// The engine calls sinks synchronously; events are buffered and published by <see cref="FlushAsync"/>, which the
/// <see cref="NatsWorker"/> calls after every batch and before every checkpoint, so a checkpoint never covers an
/// event that is not yet stored.
/// </remarks>
public sealed class NatsEventPublisher : IEventSink
{
    private readonly INatsJSContext _jetStream;
    private readonly List<CityEvent> _pending = [];

    /// <summary>Creates a publisher.</summary>
    public NatsEventPublisher(INatsJSContext jetStream, NatsLayout layout)
    {
        _jetStream = jetStream ?? throw new ArgumentNullException(nameof(jetStream));
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
    }

    /// <summary>The layout.</summary>
    public NatsLayout Layout { get; }

    /// <summary>Events stored by the server.</summary>
    public long Published { get; private set; }

    /// <summary>Events the server dropped as already stored (replays).</summary>
    public long Duplicates { get; private set; }

    /// <summary>The message id of an event.</summary>
    public static string MessageId(in CityEvent e) => e.Id.ToString("x16", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        foreach (var e in events)
        {
            _pending.Add(e);
        }
    }

    /// <inheritdoc />
    public void OnCompleted(Exception? error)
    {
    }

    /// <summary>Publishes the buffered events and waits until the stream has stored them.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        const int Window = 256;
        var start = 0;
        while (start < _pending.Count)
        {
            var count = Math.Min(Window, _pending.Count - start);
            var tasks = new Task<bool>[count];
            for (var i = 0; i < count; i++)
            {
                var e = _pending[start + i];
                tasks[i] = NatsPublishing.PublishWithRetryAsync(_jetStream, Layout.EventSubject(e.Kind), Encode(e), MessageId(e), cancellationToken);
            }

            foreach (var duplicate in await Task.WhenAll(tasks).ConfigureAwait(false))
            {
                if (duplicate)
                {
                    Duplicates++;
                }
                else
                {
                    Published++;
                }
            }

            start += count;
        }

        _pending.Clear();
    }

    /// <summary>The JSON document of an event.</summary>
    public static byte[] Encode(in CityEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", MessageId(e));
            json.WriteString("kind", e.Kind.ToString());
            json.WriteString("category", e.Category.ToString());
            json.WriteString("phase", e.Phase.ToString());
            json.WriteString("sensor", e.Sensor.ToString());
            json.WriteNumber("eventTime", e.EventTime);
            json.WriteNumber("detectionTime", e.DetectionTime);
            json.WriteNumber("horizon", e.Horizon);
            WriteNumber(json, "score", e.Score);
            WriteNumber(json, "observed", e.Observed);
            WriteNumber(json, "expected", e.Expected);
            json.WriteString("source", e.Source);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
