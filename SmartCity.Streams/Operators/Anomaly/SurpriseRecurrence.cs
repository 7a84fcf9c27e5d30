using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// The empirical side of the anomaly likelihood: per key, how often each level of high surprise was already seen
/// (exponentially weighted over <see cref="CalibrationOptions.LongWindow"/> rows). Once a level has been seen
/// <see cref="CalibrationOptions.RecurrenceCount"/> times, a row at that level is judged by its observed frequency
/// instead of the Gaussian extrapolation, which is far too small for a surprise that keeps coming back (a periodic
/// spike, a load balancer's routine bursts): the Gaussian tail of a rare but routine event is astronomically small,
/// its empirical frequency is not.
/// </summary>
/// <remarks>
/// Levels are doublings of the raw surprise from <see cref="CalibrationOptions.SurpriseScale"/> (from 1 when the
/// surprise is unbounded); eight of them, the last one open-ended. A level counts every row at it or above it, so a
/// surprise is "seen" when earlier ones were at least as large within a factor of two.
/// Only rows at the lowest level or above (bounded surprise 0.5, i.e. a raw surprise equal to the scale, far below any
/// alarm) touch this state; the counters are decayed lazily from the row index of the key's previous such row, so the
/// usual row costs one comparison. Per key: eight float counters and that row index, 36 bytes.
/// </remarks>
internal sealed class SurpriseRecurrence
{
    /// <summary>Number of surprise levels per key.</summary>
    public const int Levels = 8;

    private readonly double _decay;
    private readonly double _alpha;
    private readonly double _minCount;
    private readonly bool _bounded;
    private float[] _counts = [];
    private int[] _lastRow = [];
    private int[] _rowsSeen = [];
    private int[] _patchRows = [];
    private double[] _patchCaps = [];
    private int _patchCount;

    public SurpriseRecurrence(CalibrationOptions options)
    {
        _alpha = 1.0 / options.LongWindow;
        _decay = 1 - _alpha;
        _minCount = options.RecurrenceCount;
        _bounded = options.SurpriseScale > 0;
        Floor = options.RecurrenceCount == 0 ? double.PositiveInfinity : _bounded ? 0.5 : 1.0;
    }

    /// <summary>Smallest excess surprise that is counted; +infinity when the recurrence check is off.</summary>
    public double Floor { get; }

    public void Resize(int keyCount)
    {
        if (keyCount <= _lastRow.Length)
        {
            return;
        }

        int cap = StateArrays.NextCapacity(_lastRow.Length, keyCount);
        StateArrays.Grow(ref _lastRow, cap, 0);
        StateArrays.Grow(ref _counts, cap * Levels, 0f);
    }

    public void Reset()
    {
        _counts.AsSpan().Clear();
        _lastRow.AsSpan().Clear();
        _patchCount = 0;
    }

    /// <summary>Per row of the current batch, the number of earlier rows of its key; written by the likelihood's per-key
    /// pass for judged rows (others are never read: their excess is 0).</summary>
    public Span<int> RowsSeenScratch => _rowsSeen;

    /// <summary>Starts a batch of <paramref name="length"/> rows: no row is capped yet.</summary>
    public void BeginBatch(int length)
    {
        if (_patchRows.Length < length)
        {
            int cap = StateArrays.NextCapacity(_patchRows.Length, length);
            _rowsSeen = new int[cap];
            _patchRows = new int[cap];
            _patchCaps = new double[cap];
        }

        _patchCount = 0;
    }

    /// <summary>After the likelihood's per-key pass: finds the rows whose excess surprise (in <paramref name="excess"/>)
    /// reaches <see cref="Floor"/>, four at a time, and observes them in row order. Kept out of the per-key pass so
    /// that pass has no call in its loop.</summary>
    public void ObserveExcesses(ReadOnlySpan<int> keys, ReadOnlySpan<double> excess)
    {
        double floor = Floor;
        if (double.IsPositiveInfinity(floor))
        {
            return;
        }

        int n = excess.Length;
        var limit = Vector256.Create(floor);
        int i = 0;
        for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            if (Vector256.GreaterThanOrEqualAny(Vector256.Create<double>(excess[i..]), limit))
            {
                for (int j = i; j < i + Vector256<double>.Count; j++)
                {
                    ObserveIfHigh(keys[j], excess[j], j, floor);
                }
            }
        }

        for (; i < n; i++)
        {
            ObserveIfHigh(keys[i], excess[i], i, floor);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ObserveIfHigh(int key, double excess, int row, double floor)
    {
        if (excess >= floor)
        {
            Observe(key, _rowsSeen[row], excess, row);
        }
    }

    /// <summary>Rare path, for a judged row whose excess surprise <paramref name="excess"/> (bounded surprise minus its
    /// usual level) is at least <see cref="Floor"/>: looks up how often its level was seen among the key's
    /// <paramref name="rowsSeen"/> earlier rows, caps the row's -log10 tail probability at that frequency when the level
    /// is a recurring one, then counts the row.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Observe(int key, int rowsSeen, double excess, int row)
    {
        Debug.Assert(excess >= Floor);
        // Bounded: excess < 1, and the ratio is the raw surprise the excess corresponds to, in units of the scale.
        double ratio = _bounded ? excess / (1 - excess) : excess;
        // ILogB is the binary exponent: level k holds surprises in [2^k, 2^(k+1)) times the scale (+infinity gives int.MaxValue).
        int level = Math.Clamp(Math.ILogB(ratio), 0, Levels - 1);
        Span<float> counts = _counts.AsSpan(key * Levels, Levels);
        ref int last = ref _lastRow[key];
        var kept = Vector256.Create((float)Math.Pow(_decay, rowsSeen - last));
        var stored = Vector256.Create<float>(counts);
        stored *= kept;
        double seen = stored[level];
        if (seen >= _minCount)
        {
            // Effective number of earlier rows under the same weights: sum of decay^j for j < rowsSeen.
            double rows = (1 - Math.Pow(_decay, rowsSeen)) / _alpha;
            _patchRows[_patchCount] = row;
            _patchCaps[_patchCount] = -Math.Log10(Math.Min(seen / rows, 1.0));
            _patchCount++;
        }

        // Every level up to this one now has one more row at or above it.
        Vector256<float> increment = Vector256.LessThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(level)).AsSingle() & Vector256<float>.One;
        (stored + increment).CopyTo(counts);
        last = rowsSeen;
    }

    /// <summary>Lowers the rows recorded by <see cref="Observe"/> to their empirical tail: <paramref name="values"/> holds
    /// -log10 tail probabilities, or scores (<see cref="TailProbability.ToScore"/>) with <paramref name="scores"/>.</summary>
    public void Apply(Span<double> values, bool scores)
    {
        for (int p = 0; p < _patchCount; p++)
        {
            ref double slot = ref values[_patchRows[p]];
            double cap = _patchCaps[p];
            slot = Math.Min(slot, scores ? TailProbability.ToScore(cap) : cap);
        }
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        StateArrays.Write(writer, _lastRow, keyCount);
        foreach (float c in _counts.AsSpan(0, keyCount * Levels))
        {
            writer.Write(c);
        }
    }

    public void Read(BinaryReader reader, int keyCount)
    {
        StateArrays.Read(reader, _lastRow, keyCount);
        Span<float> counts = _counts.AsSpan(0, keyCount * Levels);
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = reader.ReadSingle();
        }
    }
}
