using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Tests.Nats;

/// <summary>Counts the rows leaving a pipeline and fires once a target is reached.</summary>
internal sealed class CountingBatchSink(long target, Action onTarget) : IBatchSink
{
    private long _rows;

    public long Rows => Interlocked.Read(ref _rows);

    public void OnBatch(StreamBatch batch)
    {
        if (Interlocked.Add(ref _rows, batch.Length) >= target)
        {
            onTarget();
        }
    }

    public void OnCompleted(Exception? error)
    {
    }
}
