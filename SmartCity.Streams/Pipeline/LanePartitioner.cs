using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Pipeline;

/// <summary>
/// Splits the rows of a source batch by lane: lane = stable hash of the raw sensor id modulo the lane count,
/// so a sensor always lands on the same lane, in every run and process. Produces index lists only; the lanes
/// gather their own rows in parallel.
/// </summary>
internal sealed class LanePartitioner
{
    private readonly InputBinding _binding;
    private readonly int _lanes;
    private Schema? _schema;
    private int _keyOrdinal;
    private int[] _dictionaryLanes = [];
    private IArrowArray? _dictionary;

    public LanePartitioner(InputBinding binding, int lanes)
    {
        _binding = binding;
        _lanes = lanes;
    }

    /// <summary>Fills <paramref name="rows"/>[lane] with that lane's row indices; returns the counts in <paramref name="counts"/>.</summary>
    public void Split(RecordBatch batch, int[][] rows, int[] counts)
    {
        if (!ReferenceEquals(batch.Schema, _schema))
        {
            if (_schema is null || !ArrowBatchBinder.SameLayout(_schema, batch.Schema))
            {
                _keyOrdinal = ArrowBatchBinder.Validate(batch.Schema, _binding).Key;
            }

            _schema = batch.Schema;
        }

        for (var lane = 0; lane < _lanes; lane++)
        {
            if (rows[lane].Length < batch.Length)
            {
                rows[lane] = new int[Math.Max(batch.Length, rows[lane].Length * 2)];
            }

            counts[lane] = 0;
        }

        var key = batch.Column(_keyOrdinal);
        switch (key)
        {
            case Int32Array a: SplitIntegers(a.Values, rows, counts); break;
            case Int64Array a: SplitIntegers(a.Values, rows, counts); break;
            case UInt32Array a: SplitIntegers(a.Values, rows, counts); break;
            case StringArray s:
                {
                    var offsets = s.ValueOffsets;
                    var bytes = s.Values;
                    for (var i = 0; i < s.Length; i++)
                    {
                        var lane = Hashing.Lane(Hashing.Utf8(bytes.Slice(offsets[i], offsets[i + 1] - offsets[i])), _lanes);
                        rows[lane][counts[lane]++] = i;
                    }

                    break;
                }

            case DictionaryArray d:
                SplitDictionary(d, rows, counts);
                break;
            default:
                throw new InvalidOperationException($"Unsupported key array {key.GetType().Name}.");
        }
    }

    private void SplitIntegers<T>(ReadOnlySpan<T> keys, int[][] rows, int[] counts)
        where T : struct, System.Numerics.IBinaryInteger<T>
    {
        for (var i = 0; i < keys.Length; i++)
        {
            var lane = Hashing.Lane(Hashing.Mix(ulong.CreateTruncating(long.CreateTruncating(keys[i]))), _lanes);
            rows[lane][counts[lane]++] = i;
        }
    }

    private void SplitDictionary(DictionaryArray array, int[][] rows, int[] counts)
    {
        var dictionary = (StringArray)array.Dictionary;
        if (!ReferenceEquals(dictionary, _dictionary))
        {
            if (_dictionaryLanes.Length < dictionary.Length)
            {
                _dictionaryLanes = new int[Math.Max(dictionary.Length, _dictionaryLanes.Length * 2)];
            }

            var offsets = dictionary.ValueOffsets;
            var bytes = dictionary.Values;
            for (var i = 0; i < dictionary.Length; i++)
            {
                _dictionaryLanes[i] = Hashing.Lane(Hashing.Utf8(bytes.Slice(offsets[i], offsets[i + 1] - offsets[i])), _lanes);
            }

            _dictionary = dictionary;
        }

        for (var i = 0; i < array.Length; i++)
        {
            var lane = array.IsNull(i) ? 0 : _dictionaryLanes[ArrowKeySlot.DictionaryIndex(array.Indices, i)];
            rows[lane][counts[lane]++] = i;
        }
    }
}
