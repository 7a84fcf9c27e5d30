namespace SmartCity.Streams.Events;

/// <summary>Keeps every event in memory; handy in tests and small tools.</summary>
public sealed class CollectingEventSink : IEventSink
{
    private readonly List<CityEvent> _events = [];

    /// <summary>The events received so far.</summary>
    public IReadOnlyList<CityEvent> Events => _events;

    /// <summary>The error the pipeline ended with, if any.</summary>
    public Exception? Error { get; private set; }

    /// <summary>True once the pipeline ended.</summary>
    public bool IsCompleted { get; private set; }

    /// <inheritdoc />
    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        foreach (var e in events)
        {
            _events.Add(e);
        }
    }

    /// <inheritdoc />
    public void OnCompleted(Exception? error)
    {
        Error = error;
        IsCompleted = true;
    }
}
