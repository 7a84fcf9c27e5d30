using Apache.Arrow;

namespace SmartCity.Streams.Sources;

/// <summary>
/// Replays record batches held in memory. The batches stay owned by the caller (they are not disposed), so
/// the same list can be replayed many times, as benchmarks do.
/// </summary>
public sealed class InMemoryBatchSource : BatchSource
{
    private readonly IReadOnlyList<RecordBatch>[] _partitions;
    private readonly bool _byKey;
    private int _partition;
    private int _next;
    private int _emitted;
    private SourceBatch _current;

    /// <summary>Creates a single-partition source.</summary>
    public InMemoryBatchSource(IReadOnlyList<RecordBatch> batches)
        : this([batches ?? throw new ArgumentNullException(nameof(batches))], false)
    {
    }

    /// <summary>
    /// Creates a source over several partitions, read round-robin. Set <paramref name="partitionsByKey"/> when
    /// every sensor appears in one partition only (as on a broker partitioned by key).
    /// </summary>
    public InMemoryBatchSource(IReadOnlyList<IReadOnlyList<RecordBatch>> partitions, bool partitionsByKey)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 0)
        {
            throw new ArgumentException("At least one partition is required.", nameof(partitions));
        }

        _partitions = [.. partitions];
        _byKey = partitionsByKey;
    }

    /// <inheritdoc />
    public override int PartitionCount => _partitions.Length;

    /// <inheritdoc />
    public override bool PartitionsByKey => _byKey;

    /// <inheritdoc />
    public override Schema? Schema => _partitions[0].Count > 0 ? _partitions[0][0].Schema : null;

    /// <inheritdoc />
    public override SourceBatch Current => _current;

    /// <summary>Starts the replay again from the first batch.</summary>
    public void Reset()
    {
        _partition = 0;
        _next = 0;
        _emitted = 0;
    }

    /// <inheritdoc />
    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default) => new(MoveNext());

    /// <summary>Synchronous <see cref="MoveNextAsync"/>.</summary>
    public bool MoveNext()
    {
        var total = 0;
        foreach (var p in _partitions)
        {
            total += p.Count;
        }

        if (_emitted >= total)
        {
            return false;
        }

        // Round-robin over partitions, skipping exhausted ones.
        while (true)
        {
            var partition = _partitions[_partition];
            var index = _next;
            var chosen = _partition;
            _partition++;
            if (_partition == _partitions.Length)
            {
                _partition = 0;
                _next++;
            }

            if (index < partition.Count)
            {
                _current = new SourceBatch(partition[index], chosen, index + 1);
                _emitted++;
                return true;
            }
        }
    }

    /// <inheritdoc />
    public override void Release(in SourceBatch batch)
    {
        // The caller owns the batches.
    }
}
