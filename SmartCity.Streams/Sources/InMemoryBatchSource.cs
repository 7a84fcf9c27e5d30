using Apache.Arrow;

namespace SmartCity.Streams.Sources;

/// <summary>
/// Replays record batches held in memory. The batches stay owned by the caller (they are not disposed), so
/// the same list can be replayed many times, as benchmarks do.
/// </summary>
public sealed class InMemoryBatchSource : BatchSource, IResumableSource
{
    private readonly IReadOnlyList<RecordBatch>[] _partitions;
    private readonly bool _byKey;
    private readonly int[] _cursors;
    private int _partition;
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
        _cursors = new int[_partitions.Length];
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
        System.Array.Clear(_cursors);
    }

    /// <inheritdoc />
    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default) => new(MoveNext());

    /// <summary>Synchronous <see cref="MoveNextAsync"/>.</summary>
    public bool MoveNext()
    {
        // Round-robin over partitions, skipping exhausted ones.
        for (var attempt = 0; attempt < _partitions.Length; attempt++)
        {
            var chosen = _partition;
            _partition = (_partition + 1) % _partitions.Length;
            var index = _cursors[chosen];
            if (index < _partitions[chosen].Count)
            {
                _cursors[chosen] = index + 1;
                _current = new SourceBatch(_partitions[chosen][index], chosen, index + 1);
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public ValueTask SeekAsync(IReadOnlyList<long> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count != _partitions.Length)
        {
            throw new ArgumentException($"Expected {_partitions.Length} positions, got {positions.Count}.", nameof(positions));
        }

        var max = 0L;
        for (var p = 0; p < _partitions.Length; p++)
        {
            _cursors[p] = (int)Math.Clamp(positions[p], 0, _partitions[p].Count);
            max = Math.Max(max, _cursors[p]);
        }

        // Continue the round-robin where it stopped: the first partition behind the others.
        _partition = 0;
        for (var p = 0; p < _partitions.Length; p++)
        {
            if (_cursors[p] < max)
            {
                _partition = p;
                break;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(IReadOnlyList<long> positions, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public override void Release(in SourceBatch batch)
    {
        // The caller owns the batches.
    }
}
