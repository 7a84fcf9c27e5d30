using System.Diagnostics;
using System.Runtime.CompilerServices;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// A pool of fixed-size, mergeable DDSketch-style quantile sketches in flat arrays (no object per sketch).
/// </summary>
/// <remarks>
/// <para>A positive value x falls in bucket i = ⌈log_γ x⌉ with γ = (1+α)/(1−α), which covers (γ^(i−1), γ^i];
/// the bucket is reported as 2γ^i/(γ+1), within relative error α of every value in it. Negative values use
/// a second store keyed by −i of their magnitude, zeros a counter. The quantile q of n values is the value of
/// rank ⌊q(n−1)⌋ (0-based, ascending); the sketch returns the estimate of the bucket holding that rank,
/// clamped to the exact minimum and maximum, hence within relative error α of the exact order statistic.</para>
/// <para>Each store is a window of B buckets that slides with the data. When the values of one sign span
/// more than B buckets, the lowest buckets are collapsed into the lowest kept one (smallest magnitudes for
/// positive values, largest magnitudes for negative ones), so the bound holds for upper quantiles first,
/// which is what p50–p99 need. Sketches merge bucket by bucket, so merging is exact: the merged sketch equals
/// the sketch of the union.</para>
/// <para>Sketch ids are recycled through a free list; a released sketch's buckets are cleared eagerly, so
/// renting one never touches more than the buckets its last user filled.</para>
/// </remarks>
internal sealed class QuantileSketchArena
{
    private readonly int _buckets;
    private readonly double _logGamma;
    private readonly double _invLogGamma;
    private readonly double _midpoint;
    private int[] _counts;
    private int[] _base;
    private int[] _lo;
    private int[] _hi;
    private long[] _zero;
    private long[] _total;
    private double[] _min;
    private double[] _max;
    private int[] _free;
    private int _freeCount;
    private int _used;

    public QuantileSketchArena(double relativeAccuracy, int buckets, int initialCapacity = 16)
    {
        RelativeAccuracy = relativeAccuracy;
        var gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        _buckets = buckets;
        _logGamma = Math.Log(gamma);
        _invLogGamma = 1 / _logGamma;
        _midpoint = 2 / (gamma + 1);
        var capacity = Math.Max(1, initialCapacity);
        _counts = new int[capacity * 2 * buckets];
        _base = new int[capacity * 2];
        _lo = new int[capacity * 2];
        _hi = new int[capacity * 2];
        _zero = new long[capacity];
        _total = new long[capacity];
        _min = new double[capacity];
        _max = new double[capacity];
        _free = new int[capacity];
        for (var s = 0; s < capacity * 2; s++)
        {
            _lo[s] = int.MaxValue;
            _hi[s] = -1;
        }
    }

    public double RelativeAccuracy { get; }

    /// <summary>Sketches rented and not yet released.</summary>
    public int Live => _used - _freeCount;

    public int Capacity => _zero.Length;

    public int Rent()
    {
        int id;
        if (_freeCount > 0)
        {
            id = _free[--_freeCount];
        }
        else
        {
            if (_used == _zero.Length)
            {
                Grow();
            }

            id = _used++;
        }

        _zero[id] = 0;
        _total[id] = 0;
        _min[id] = double.PositiveInfinity;
        _max[id] = double.NegativeInfinity;
        return id;
    }

    /// <summary>Empties a rented sketch so it can be reused in place (merge scratch).</summary>
    public void Reset(int id)
    {
        Clear(2 * id);
        Clear((2 * id) + 1);
        _zero[id] = 0;
        _total[id] = 0;
        _min[id] = double.PositiveInfinity;
        _max[id] = double.NegativeInfinity;
    }

    public void Release(int id)
    {
        Clear(2 * id);
        Clear((2 * id) + 1);
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }

        _free[_freeCount++] = id;
    }

    public long Count(int id) => _total[id];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int id, double x)
    {
        Debug.Assert(double.IsFinite(x));
        _total[id]++;
        if (x < _min[id])
        {
            _min[id] = x;
        }

        if (x > _max[id])
        {
            _max[id] = x;
        }

        if (x > 0)
        {
            AddIndex(2 * id, Index(x), 1);
        }
        else if (x < 0)
        {
            AddIndex((2 * id) + 1, -Index(-x), 1);
        }
        else
        {
            _zero[id]++;
        }
    }

    /// <summary>Adds every value of sketch <paramref name="source"/> into <paramref name="target"/>.</summary>
    public void Merge(int target, int source)
    {
        if (_total[source] == 0)
        {
            return;
        }

        _total[target] += _total[source];
        _zero[target] += _zero[source];
        _min[target] = Math.Min(_min[target], _min[source]);
        _max[target] = Math.Max(_max[target], _max[source]);
        for (var sign = 0; sign < 2; sign++)
        {
            var from = (2 * source) + sign;
            var into = (2 * target) + sign;
            var offset = from * _buckets;
            for (var p = _lo[from]; p <= _hi[from]; p++)
            {
                var c = _counts[offset + p];
                if (c != 0)
                {
                    AddIndex(into, _base[from] + p, c);
                }
            }
        }
    }

    /// <summary>The estimated value of rank ⌊q(n−1)⌋; NaN for an empty sketch.</summary>
    public double Quantile(int id, double q)
    {
        var n = _total[id];
        if (n == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Floor(q * (n - 1));
        long seen = 0;
        var negative = (2 * id) + 1;
        var offset = negative * _buckets;
        for (var p = _lo[negative]; p <= _hi[negative]; p++)
        {
            seen += _counts[offset + p];
            if (seen > rank)
            {
                return Clamp(id, -Value(-(_base[negative] + p)));
            }
        }

        seen += _zero[id];
        if (seen > rank)
        {
            return 0;
        }

        var positive = 2 * id;
        offset = positive * _buckets;
        for (var p = _lo[positive]; p <= _hi[positive]; p++)
        {
            seen += _counts[offset + p];
            if (seen > rank)
            {
                return Clamp(id, Value(_base[positive] + p));
            }
        }

        return _max[id];
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_used);
        writer.Write(_freeCount);
        writer.WriteArray<int>(_free.AsSpan(0, _freeCount));
        writer.WriteArray<int>(_base.AsSpan(0, 2 * _used));
        writer.WriteArray<int>(_lo.AsSpan(0, 2 * _used));
        writer.WriteArray<int>(_hi.AsSpan(0, 2 * _used));
        writer.WriteArray<long>(_zero.AsSpan(0, _used));
        writer.WriteArray<long>(_total.AsSpan(0, _used));
        writer.WriteArray<double>(_min.AsSpan(0, _used));
        writer.WriteArray<double>(_max.AsSpan(0, _used));
        writer.WriteArray<int>(_counts.AsSpan(0, 2 * _used * _buckets));
    }

    public void Read(BinaryReader reader)
    {
        var used = reader.ReadInt32();
        var freeCount = reader.ReadInt32();
        while (Capacity < used)
        {
            Grow();
        }

        var free = reader.ReadArray<int>();
        if (free.Length != freeCount)
        {
            throw new InvalidDataException("The quantile sketch state is corrupt (free list length).");
        }

        _used = used;
        _freeCount = freeCount;
        if (_free.Length < free.Length)
        {
            _free = new int[free.Length];
        }

        free.CopyTo(_free, 0);
        reader.ReadArray<int>().CopyTo(_base, 0);
        reader.ReadArray<int>().CopyTo(_lo, 0);
        reader.ReadArray<int>().CopyTo(_hi, 0);
        reader.ReadArray<long>().CopyTo(_zero, 0);
        reader.ReadArray<long>().CopyTo(_total, 0);
        reader.ReadArray<double>().CopyTo(_min, 0);
        reader.ReadArray<double>().CopyTo(_max, 0);
        reader.ReadArray<int>().CopyTo(_counts, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Index(double magnitude) => (int)Math.Ceiling(Math.Log(magnitude) * _invLogGamma);

    private double Value(int index) => Math.Exp(index * _logGamma) * _midpoint;

    private double Clamp(int id, double value) => Math.Clamp(value, _min[id], _max[id]);

    private void AddIndex(int store, int index, int count)
    {
        var b = _buckets;
        var offset = store * b;
        if (_hi[store] < 0)
        {
            _base[store] = index - (b / 2);
            _lo[store] = _hi[store] = b / 2;
            _counts[offset + (b / 2)] += count;
            return;
        }

        var p = index - _base[store];
        if (p < 0)
        {
            // Slide the window down as far as the highest bucket allows; whatever still does not fit
            // collapses into the lowest bucket.
            var shift = Math.Min(-p, b - 1 - _hi[store]);
            if (shift > 0)
            {
                Move(store, shift);
            }

            p = Math.Max(0, index - _base[store]);
        }
        else if (p >= b)
        {
            var shift = p - (b - 1);
            Slide(store, shift);
            p = b - 1;
        }

        _counts[offset + p] += count;
        if (p < _lo[store])
        {
            _lo[store] = p;
        }

        if (p > _hi[store])
        {
            _hi[store] = p;
        }
    }

    /// <summary>Moves the used buckets up by <paramref name="shift"/> positions (the window slides down).</summary>
    private void Move(int store, int shift)
    {
        var offset = store * _buckets;
        var lo = _lo[store];
        var hi = _hi[store];
        var span = _counts.AsSpan(offset, _buckets);
        span.Slice(lo, hi - lo + 1).CopyTo(span.Slice(lo + shift, hi - lo + 1));
        span.Slice(lo, Math.Min(shift, hi - lo + 1)).Clear();
        _base[store] -= shift;
        _lo[store] = lo + shift;
        _hi[store] = hi + shift;
    }

    /// <summary>Slides the window up by <paramref name="shift"/>: buckets falling below it collapse into the new lowest one.</summary>
    private void Slide(int store, int shift)
    {
        var offset = store * _buckets;
        var span = _counts.AsSpan(offset, _buckets);
        var lo = _lo[store];
        var hi = _hi[store];
        var collapsed = 0;
        for (var p = lo; p <= Math.Min(hi, shift); p++)
        {
            collapsed += span[p];
            span[p] = 0;
        }

        if (hi > shift)
        {
            span.Slice(shift + 1, hi - shift).CopyTo(span.Slice(1, hi - shift));
            span.Slice(Math.Max(shift + 1, hi - shift + 1), hi - Math.Max(shift + 1, hi - shift + 1) + 1).Clear();
            span[0] = collapsed;
            _lo[store] = collapsed != 0 ? 0 : Math.Max(0, lo - shift);
            _hi[store] = hi - shift;
        }
        else
        {
            span[0] = collapsed;
            _lo[store] = 0;
            _hi[store] = 0;
        }

        _base[store] += shift;
    }

    private void Clear(int store)
    {
        if (_hi[store] >= 0)
        {
            _counts.AsSpan((store * _buckets) + _lo[store], _hi[store] - _lo[store] + 1).Clear();
        }

        _lo[store] = int.MaxValue;
        _hi[store] = -1;
    }

    private void Grow()
    {
        var capacity = _zero.Length * 2;
        Array.Resize(ref _counts, capacity * 2 * _buckets);
        var oldStores = _base.Length;
        Array.Resize(ref _base, capacity * 2);
        Array.Resize(ref _lo, capacity * 2);
        Array.Resize(ref _hi, capacity * 2);
        for (var s = oldStores; s < capacity * 2; s++)
        {
            _lo[s] = int.MaxValue;
            _hi[s] = -1;
        }

        Array.Resize(ref _zero, capacity);
        Array.Resize(ref _total, capacity);
        Array.Resize(ref _min, capacity);
        Array.Resize(ref _max, capacity);
    }
}
