using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace SmartCity.Streams.Sources;

/// <summary>
/// Recycles the managed arrays behind the record batches a source builds. A batch's arrays come back when the
/// pipeline releases the batch; a batch the consumer keeps (or drops without releasing) is simply collected,
/// because the batch-to-arrays link is weak.
/// </summary>
internal sealed class ManagedBufferPool
{
    private const int MaxPooledSets = 16;
    private readonly int[] _sizes;
    private readonly ConcurrentQueue<byte[][]> _free = new();
    private readonly ConditionalWeakTable<RecordBatch, byte[][]> _lent = [];

    public ManagedBufferPool(params int[] sizes) => _sizes = sizes;

    public byte[][] Rent()
    {
        if (_free.TryDequeue(out var set))
        {
            return set;
        }

        set = new byte[_sizes.Length][];
        for (var i = 0; i < set.Length; i++)
        {
            set[i] = GC.AllocateUninitializedArray<byte>(_sizes[i]);
        }

        return set;
    }

    public void Lend(RecordBatch batch, byte[][] set) => _lent.AddOrUpdate(batch, set);

    /// <summary>Gives back a set that was rented but never lent to a batch.</summary>
    public void Recycle(byte[][] set)
    {
        if (_free.Count < MaxPooledSets)
        {
            _free.Enqueue(set);
        }
    }

    public void Return(RecordBatch batch)
    {
        if (_lent.TryGetValue(batch, out var set) && _lent.Remove(batch) && _free.Count < MaxPooledSets)
        {
            _free.Enqueue(set);
        }
    }
}
