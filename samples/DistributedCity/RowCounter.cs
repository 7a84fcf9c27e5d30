using SmartCity.Streams.Batches;

namespace DistributedCity;

/// <summary>Counts the rows leaving the pipeline and notes when the last batch went through.</summary>
internal sealed class RowCounter(Action onBatch) : IBatchSink
{
    public long Rows { get; private set; }

    public void OnBatch(StreamBatch batch)
    {
        Rows += batch.Length;
        onBatch();
    }

    public void OnCompleted(Exception? error)
    {
    }
}
