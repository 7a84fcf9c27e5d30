namespace SmartCity.Streams.Events;

/// <summary>A lane-local list of events, flushed to the sinks after each batch so sinks see few, larger calls.</summary>
internal sealed class EventBuffer
{
    private CityEvent[] _items = new CityEvent[64];

    public int Count { get; private set; }

    public ReadOnlySpan<CityEvent> Items => _items.AsSpan(0, Count);

    public void Add(in CityEvent item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = item;
    }

    public void Clear() => Count = 0;
}
