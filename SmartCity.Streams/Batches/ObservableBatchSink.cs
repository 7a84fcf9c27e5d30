using System.Reactive.Subjects;
using Apache.Arrow;

namespace SmartCity.Streams.Batches;

/// <summary>
/// Publishes the pipeline's output batches as Arrow record batches through Rx. Each record batch is a copy the
/// subscriber owns (dispose it when done). Subscribe before the run starts: it is hot.
/// </summary>
public sealed class ObservableBatchSink : IBatchSink, IObservable<RecordBatch>, IDisposable
{
    private readonly Subject<RecordBatch> _subject = new();

    /// <inheritdoc />
    public IDisposable Subscribe(IObserver<RecordBatch> observer) => _subject.Subscribe(observer);

    /// <inheritdoc />
    public void OnBatch(StreamBatch batch)
    {
        if (batch is { Length: > 0 } && _subject.HasObservers)
        {
            _subject.OnNext(RecordBatchConverter.ToRecordBatch(batch));
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
