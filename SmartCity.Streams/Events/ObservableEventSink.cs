using System.Reactive.Subjects;

namespace SmartCity.Streams.Events;

/// <summary>Publishes events as an Rx <see cref="IObservable{T}"/>. Subscribe before running the pipeline: it is hot.</summary>
public sealed class ObservableEventSink : IEventSink, IObservable<CityEvent>, IDisposable
{
    private readonly Subject<CityEvent> _subject = new();

    /// <inheritdoc />
    public IDisposable Subscribe(IObserver<CityEvent> observer) => _subject.Subscribe(observer);

    /// <inheritdoc />
    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        foreach (var e in events)
        {
            _subject.OnNext(e);
        }
    }

    /// <inheritdoc />
    public void OnCompleted(Exception? error)
    {
        if (error is null)
        {
            _subject.OnCompleted();
        }
        else
        {
            _subject.OnError(error);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _subject.Dispose();
}
