namespace SmartCity.Streams.Batches;

/// <summary>Receives the batches that leave the end of a pipeline (or its late-data output).</summary>
/// <remarks>
/// The engine calls a sink from one thread at a time. The batch is lent for the call only: convert or copy
/// what you keep (see <see cref="RecordBatchConverter"/>).
/// </remarks>
public interface IBatchSink
{
    /// <summary>A batch of rows.</summary>
    void OnBatch(StreamBatch batch);

    /// <summary>The pipeline ended, successfully (<paramref name="error"/> is null) or not.</summary>
    void OnCompleted(Exception? error);
}
