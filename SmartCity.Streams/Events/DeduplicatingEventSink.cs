namespace SmartCity.Streams.Events;

/// <summary>
/// Passes each event id on once: drops events whose <see cref="CityEvent.Id"/> was already delivered. After a
/// restart from a checkpoint, seed it with the ids the downstream already holds from after that checkpoint (the
/// replay window); call <see cref="Trim"/> when a checkpoint completes, since nothing before it is replayed.
/// </summary>
/// <remarks>Not thread-safe; the engine calls sinks from one thread at a time.</remarks>
public sealed class DeduplicatingEventSink : IEventSink
{
    private readonly IEventSink _inner;
    private readonly HashSet<ulong> _seen;
    private CityEvent[] _buffer = new CityEvent[64];

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="alreadyDelivered"/> are ids it already holds.</summary>
    public DeduplicatingEventSink(IEventSink inner, IEnumerable<ulong>? alreadyDelivered = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _seen = alreadyDelivered is null ? [] : [.. alreadyDelivered];
    }

    /// <summary>Events dropped as duplicates.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Ids currently remembered.</summary>
    public int WindowSize => _seen.Count;

    /// <summary>Forgets the remembered ids (call when a checkpoint completed: events before it are never replayed).</summary>
    public void Trim() => _seen.Clear();

    /// <inheritdoc />
    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        if (_buffer.Length < events.Length)
        {
            _buffer = new CityEvent[Math.Max(events.Length, _buffer.Length * 2)];
        }

        var count = 0;
        foreach (var e in events)
        {
            if (_seen.Add(e.Id))
            {
                _buffer[count++] = e;
            }
            else
            {
                Duplicates++;
            }
        }

        if (count > 0)
        {
            _inner.OnEvents(_buffer.AsSpan(0, count));
        }
    }

    /// <inheritdoc />
    public void OnCompleted(Exception? error) => _inner.OnCompleted(error);
}
