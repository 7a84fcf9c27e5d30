namespace SmartCity.Streams.Sources;

/// <summary>
/// A source that can restart from recorded positions (the <see cref="SourceBatch.Position"/> of the last batch
/// of each partition a checkpoint covers) and be told when a checkpoint is durable.
/// </summary>
public interface IResumableSource
{
    /// <summary>
    /// Before the first <see cref="BatchSource.MoveNextAsync"/>: continue each partition right after
    /// <paramref name="positions"/>[partition] (-1: from the beginning). The batches that follow must be the
    /// same ones, in the same order per partition, as after the original position.
    /// </summary>
    ValueTask SeekAsync(IReadOnlyList<long> positions, CancellationToken cancellationToken = default);

    /// <summary>
    /// A checkpoint covering <paramref name="positions"/> is durable: the source may acknowledge or discard
    /// everything up to them. Nothing after them may be acknowledged yet.
    /// </summary>
    ValueTask CommitAsync(IReadOnlyList<long> positions, CancellationToken cancellationToken = default);
}
