using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Tests.State;

/// <summary>Wraps a resumable source and "crashes" (throws) when asked for batch number <c>crashAt</c>.</summary>
internal sealed class CrashingSource(InMemoryBatchSource inner, int crashAt) : BatchSource, IResumableSource
{
    private int _reads;

    public override int PartitionCount => inner.PartitionCount;

    public override bool PartitionsByKey => inner.PartitionsByKey;

    public override SourceBatch Current => inner.Current;

    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (++_reads == crashAt)
        {
            throw new SimulatedCrashException();
        }

        return await inner.MoveNextAsync(cancellationToken);
    }

    public override void Release(in SourceBatch batch) => inner.Release(batch);

    public ValueTask SeekAsync(IReadOnlyList<long> positions, CancellationToken cancellationToken = default) => inner.SeekAsync(positions, cancellationToken);

    public ValueTask CommitAsync(IReadOnlyList<long> positions, CancellationToken cancellationToken = default) => inner.CommitAsync(positions, cancellationToken);
}

internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("simulated crash")
    {
    }
}
