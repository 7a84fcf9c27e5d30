using Apache.Arrow;

namespace SmartCity.Streams.Sources;

/// <summary>
/// A pull-based source of Arrow record batches. The pipeline reads it from one task at a time.
/// </summary>
/// <remarks>
/// <para><b>Ownership:</b> the pipeline borrows each batch until every lane has processed it, then calls
/// <see cref="Release"/>; the default disposes the batch. Sources that hand out batches they keep (in-memory
/// replay) override it.</para>
/// <para><b>Partitions:</b> a source may interleave several partitions (files, broker partitions). The
/// watermark is kept per partition and the minimum taken, so a fast partition does not make a slow one's
/// rows late.</para>
/// </remarks>
public abstract class BatchSource : IAsyncDisposable, IDisposable
{
    /// <summary>Number of partitions the source interleaves.</summary>
    public virtual int PartitionCount => 1;

    /// <summary>True when each sensor appears in one partition only, so partition p can feed lane p directly without re-partitioning.</summary>
    public virtual bool PartitionsByKey => false;

    /// <summary>The schema, when known before the first batch (files); lets the pipeline fail fast.</summary>
    public virtual Schema? Schema => null;

    /// <summary>Rows the source itself rejected (for example malformed CSV lines under a skip policy).</summary>
    public virtual long RowsRejected => 0;

    /// <summary>The current batch, valid after <see cref="MoveNextAsync"/> returned true.</summary>
    public abstract SourceBatch Current { get; }

    /// <summary>Advances to the next batch; false at the end of the stream.</summary>
    public abstract ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);

    /// <summary>Called when the pipeline is done with a batch. Default: disposes it.</summary>
    public virtual void Release(in SourceBatch batch) => batch.Batch.Dispose();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        Dispose(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Releases resources asynchronously.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
