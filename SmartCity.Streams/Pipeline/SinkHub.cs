using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Pipeline;

/// <summary>
/// The sinks of one run, shared by its lanes. Calls are serialised with a lock only when several lanes run
/// on several threads; a single-lane run calls sinks directly.
/// </summary>
internal sealed class SinkHub
{
    private readonly IEventSink[] _eventSinks;
    private readonly IBatchSink[] _batchSinks;
    private readonly IBatchSink[] _lateSinks;
    private readonly Lock? _gate;
    private bool _completed;

    public SinkHub(IEventSink[] eventSinks, IBatchSink[] batchSinks, IBatchSink[] lateSinks, bool concurrent)
    {
        _eventSinks = eventSinks;
        _batchSinks = batchSinks;
        _lateSinks = lateSinks;
        _gate = concurrent ? new Lock() : null;
    }

    public bool HasBatchSinks => _batchSinks.Length > 0;

    public bool HasLateSinks => _lateSinks.Length > 0;

    public void Events(ReadOnlySpan<CityEvent> events)
    {
        if (_gate is null)
        {
            Publish(events);
            return;
        }

        lock (_gate)
        {
            Publish(events);
        }
    }

    public void Batch(StreamBatch batch) => Forward(_batchSinks, batch);

    public void Late(StreamBatch batch) => Forward(_lateSinks, batch);

    public void Complete(Exception? error)
    {
        if (_gate is not null)
        {
            lock (_gate)
            {
                CompleteCore(error);
            }
        }
        else
        {
            CompleteCore(error);
        }
    }

    private void CompleteCore(Exception? error)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        foreach (var sink in _eventSinks)
        {
            sink.OnCompleted(error);
        }

        foreach (var sink in _batchSinks)
        {
            sink.OnCompleted(error);
        }

        foreach (var sink in _lateSinks)
        {
            sink.OnCompleted(error);
        }
    }

    private void Publish(ReadOnlySpan<CityEvent> events)
    {
        foreach (var sink in _eventSinks)
        {
            sink.OnEvents(events);
        }
    }

    private void Forward(IBatchSink[] sinks, StreamBatch batch)
    {
        if (sinks.Length == 0)
        {
            return;
        }

        if (_gate is null)
        {
            foreach (var sink in sinks)
            {
                sink.OnBatch(batch);
            }

            return;
        }

        lock (_gate)
        {
            foreach (var sink in sinks)
            {
                sink.OnBatch(batch);
            }
        }
    }
}
