namespace SmartCity.Streams.Events;

/// <summary>Receives the events a pipeline emits.</summary>
/// <remarks>The engine calls a sink from one thread at a time (it serialises lanes), in batches of events.</remarks>
public interface IEventSink
{
    /// <summary>New events. The span is only valid during the call.</summary>
    void OnEvents(ReadOnlySpan<CityEvent> events);

    /// <summary>The pipeline ended, successfully (<paramref name="error"/> is null) or not.</summary>
    void OnCompleted(Exception? error);
}
