using Apache.Arrow;

namespace SmartCity.Streams.Sources;

/// <summary>A record batch read from a source, with where it came from.</summary>
/// <param name="Batch">The rows.</param>
/// <param name="Partition">The source partition (0 for single-partition sources).</param>
/// <param name="Position">The position in that partition after this batch (file offset, stream sequence), used by checkpoints; -1 when unknown.</param>
public readonly record struct SourceBatch(RecordBatch Batch, int Partition = 0, long Position = -1);
