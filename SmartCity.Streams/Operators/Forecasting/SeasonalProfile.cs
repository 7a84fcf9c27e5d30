using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Per key mean by time-of-week slot, with time-of-day and overall means as fallbacks while a week slot has too few
/// observations ("weekly where data allows"). Means are running averages whose weight never drops below
/// <c>minWeight</c>, so a non-zero floor lets the profile follow slow drift. With a radius r, the time-of-day fallback is
/// the count-weighted mean of slots s-r..s+r: a few days of history make single slots noisy, and neighbouring slots of
/// the same day carry the same shape. Window sums are kept up to date on every update so a lookup is O(1).
/// </summary>
/// <remarks>
/// Slot arrays are laid out slot-major, <c>[slot * capacity + key]</c>: a step touches the same few slots of every key,
/// so walking the keys reads each slot's row sequentially (prefetchable, one cache line per 8 keys) instead of jumping
/// tens of kilobytes from key to key, and <see cref="Observe"/> and <see cref="ExpectedRows"/> handle 4 keys per vector.
/// Growing the capacity re-lays the rows out; snapshots stay key-major, independent of the capacity.
/// </remarks>
internal sealed class SeasonalProfile
{
    private readonly SeasonGrid _grid;
    private readonly int _day;
    private readonly int _week;
    private readonly double _minWeight;
    private readonly int _minWeekCount;
    private readonly int _radius;
    private int _capacity;
    private double[] _weekMean = [];
    private double[] _weekCount = [];
    private double[] _dayMean = [];
    private double[] _dayCount = [];
    private double[] _windowSum = [];
    private double[] _windowCount = [];
    private double[] _mean = [];
    private double[] _count = [];

    public SeasonalProfile(SeasonGrid grid, double minWeight, int minWeekCount, int radius)
    {
        _grid = grid;
        _day = grid.DaySlots;
        _week = grid.WeekSlots;
        _minWeight = minWeight;
        _minWeekCount = minWeekCount;
        _radius = Math.Max(0, Math.Min(radius, (_day - 1) / 2));
    }

    public SeasonGrid Grid => _grid;

    public void EnsureCapacity(int keys)
    {
        if (keys > _capacity)
        {
            Grow(keys);
        }
    }

    public void Update(int key, long step, double y) => Update(key, _grid.WeekSlot(step), _grid.DaySlot(step), y);

    public void Update(int key, int weekSlot, int slot, double y)
    {
        int c = _capacity;
        int w = (weekSlot * c) + key;
        Blend(ref _weekMean[w], ref _weekCount[w], y);
        int d = (slot * c) + key;
        double before = _dayCount[d] * _dayMean[d];
        Blend(ref _dayMean[d], ref _dayCount[d], y);
        double change = (_dayCount[d] * _dayMean[d]) - before;
        for (int o = -_radius; o <= _radius; o++)
        {
            int s = (Wrap(slot + o) * c) + key;
            _windowSum[s] += change;
            _windowCount[s] += 1;
        }

        Blend(ref _mean[key], ref _count[key], y);
    }

    /// <summary>Expected value of <paramref name="key"/> at <paramref name="step"/>; NaN before any observation.</summary>
    public double Expected(int key, long step) => Expected(key, _grid.WeekSlot(step), _grid.DaySlot(step));

    /// <summary>Expected value at a week slot and the matching day slot (callers stepping through time advance both).</summary>
    public double Expected(int key, int weekSlot, int daySlot)
    {
        double seasonal = Seasonal(key, weekSlot, daySlot);
        if (!double.IsNaN(seasonal))
        {
            return seasonal;
        }

        return _count[key] > 0 ? _mean[key] : double.NaN;
    }

    /// <summary>
    /// <paramref name="destination"/>[k] = the seasonal expectation of key k at the given slots (week slot, else the
    /// time-of-day slot or window), or NaN when neither has data yet, i.e. <see cref="Expected(int, int, int)"/> without
    /// its overall-mean fallback; 4 keys per vector with exactly the scalar operations.
    /// </summary>
    public void SeasonalRow(int weekSlot, int daySlot, int keyCount, Span<double> destination)
    {
        if ((uint)keyCount > (uint)destination.Length || keyCount > _capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(keyCount));
        }

        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int n = Vector256<double>.Count;
            int end = keyCount - (keyCount % n);
            nuint w = (nuint)weekSlot * (nuint)_capacity;
            nuint d = (nuint)daySlot * (nuint)_capacity;
            var rows = new Rows(this);
            ref double dest = ref MemoryMarshal.GetReference(destination);
            for (; k < end; k += n)
            {
                nuint key = (nuint)k;
                rows.Seasonal(w + key, d + key, out _).StoreUnsafe(ref dest, key);
            }
        }

        for (; k < keyCount; k++)
        {
            destination[k] = Seasonal(k, weekSlot, daySlot);
        }
    }

    /// <summary>
    /// For every key below <paramref name="keyCount"/>: <paramref name="expected"/>[k] = the expected value at the slots
    /// before this observation, then <see cref="Update(int, int, int, double)"/> with <paramref name="y"/>[k] unless it
    /// is NaN. Per key exactly the scalar operations, 4 keys per vector.
    /// </summary>
    public void Observe(ReadOnlySpan<double> y, int keyCount, int weekSlot, int daySlot, Span<double> expected)
    {
        if ((uint)keyCount > (uint)y.Length || (uint)keyCount > (uint)expected.Length || keyCount > _capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(keyCount));
        }

        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            k = ObserveVectors(y, keyCount, weekSlot, daySlot, expected);
        }

        for (; k < keyCount; k++)
        {
            expected[k] = Expected(k, weekSlot, daySlot);
            if (!double.IsNaN(y[k]))
            {
                Update(k, weekSlot, daySlot, y[k]);
            }
        }
    }

    /// <summary>
    /// <paramref name="destination"/>[k * <paramref name="stride"/> + j] = the expected value of key k at week slot
    /// <paramref name="weekSlots"/>[j] and day slot <paramref name="daySlots"/>[j], for every key below
    /// <paramref name="keyCount"/> and every j: per key exactly <see cref="Expected(int, int, int)"/>. Blocks of 4 keys by
    /// 4 slots are computed along the slot rows and transposed in registers, so each key's run is stored as whole vectors.
    /// </summary>
    public void ExpectedRows(ReadOnlySpan<int> weekSlots, ReadOnlySpan<int> daySlots, int keyCount, Span<double> destination, int stride)
    {
        int h = weekSlots.Length;
        if (daySlots.Length != h || keyCount > _capacity || stride < h || (keyCount > 0 && ((long)(keyCount - 1) * stride) + h > destination.Length))
        {
            throw new ArgumentOutOfRangeException(nameof(keyCount));
        }

        int k = 0;
        if (Avx.IsSupported)
        {
            k = ExpectedBlocks(weekSlots, daySlots, keyCount, destination, stride);
        }

        for (; k < keyCount; k++)
        {
            for (int j = 0; j < h; j++)
            {
                destination[(k * stride) + j] = Expected(k, weekSlots[j], daySlots[j]);
            }
        }
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        WriteKeyMajor(writer, _weekMean, _week, keyCount);
        WriteKeyMajor(writer, _weekCount, _week, keyCount);
        WriteKeyMajor(writer, _dayMean, _day, keyCount);
        WriteKeyMajor(writer, _dayCount, _day, keyCount);
        WriteKeyMajor(writer, _windowSum, _day, keyCount);
        WriteKeyMajor(writer, _windowCount, _day, keyCount);
        FlatState.Write(writer, _mean, keyCount);
        FlatState.Write(writer, _count, keyCount);
    }

    public void Read(BinaryReader reader)
    {
        ReadKeyMajor(reader, _week, ref _weekMean);
        ReadKeyMajor(reader, _week, ref _weekCount);
        ReadKeyMajor(reader, _day, ref _dayMean);
        ReadKeyMajor(reader, _day, ref _dayCount);
        ReadKeyMajor(reader, _day, ref _windowSum);
        ReadKeyMajor(reader, _day, ref _windowCount);
        FlatState.Read(reader, ref _mean, 0);
        FlatState.Read(reader, ref _count, 0);
    }

    private double Seasonal(int key, int weekSlot, int daySlot)
    {
        int w = (weekSlot * _capacity) + key;
        if (_weekCount[w] >= _minWeekCount)
        {
            return _weekMean[w];
        }

        int d = (daySlot * _capacity) + key;
        double c = _windowCount[d];
        if (c > 0)
        {
            return _radius == 0 ? _dayMean[d] : _windowSum[d] / c;
        }

        return double.NaN;
    }

    private int ObserveVectors(ReadOnlySpan<double> y, int keyCount, int weekSlot, int daySlot, Span<double> expected)
    {
        int c = _capacity;
        int n = Vector256<double>.Count;
        int end = keyCount - (keyCount % n);
        ref double weekMean = ref MemoryMarshal.GetArrayDataReference(_weekMean);
        ref double weekCount = ref MemoryMarshal.GetArrayDataReference(_weekCount);
        ref double dayMean = ref MemoryMarshal.GetArrayDataReference(_dayMean);
        ref double dayCount = ref MemoryMarshal.GetArrayDataReference(_dayCount);
        ref double windowSum = ref MemoryMarshal.GetArrayDataReference(_windowSum);
        ref double windowCount = ref MemoryMarshal.GetArrayDataReference(_windowCount);
        ref double mean = ref MemoryMarshal.GetArrayDataReference(_mean);
        ref double count = ref MemoryMarshal.GetArrayDataReference(_count);
        ref double yRef = ref MemoryMarshal.GetReference(y);
        ref double expectedRef = ref MemoryMarshal.GetReference(expected);
        nuint w = (nuint)weekSlot * (nuint)c;
        nuint d = (nuint)daySlot * (nuint)c;
        var rows = new Rows(this);
        var one = Vector256.Create(1.0);
        var minWeight = Vector256.Create(_minWeight);
        for (int k = 0; k < end; k += n)
        {
            nuint key = (nuint)k;
            rows.Expected(w + key, d + key, key).StoreUnsafe(ref expectedRef, key);

            var v = Vector256.LoadUnsafe(ref yRef, key);
            var valid = Vector256.Equals(v, v);
            if (valid == Vector256<double>.Zero)
            {
                continue;
            }

            BlendVector(ref weekMean, ref weekCount, w + key, v, valid, one, minWeight);

            var dm = Vector256.LoadUnsafe(ref dayMean, d + key);
            var dc = Vector256.LoadUnsafe(ref dayCount, d + key);
            var before = dc * dm;
            var dc1 = dc + one;
            var dm1 = dm + (Vector256.MaxNative(one / dc1, minWeight) * (v - dm));
            Vector256.ConditionalSelect(valid, dm1, dm).StoreUnsafe(ref dayMean, d + key);
            Vector256.ConditionalSelect(valid, dc1, dc).StoreUnsafe(ref dayCount, d + key);
            var change = (dc1 * dm1) - before;
            for (int o = -_radius; o <= _radius; o++)
            {
                nuint s = ((nuint)Wrap(daySlot + o) * (nuint)c) + key;
                var ws = Vector256.LoadUnsafe(ref windowSum, s);
                var wc = Vector256.LoadUnsafe(ref windowCount, s);
                Vector256.ConditionalSelect(valid, ws + change, ws).StoreUnsafe(ref windowSum, s);
                Vector256.ConditionalSelect(valid, wc + one, wc).StoreUnsafe(ref windowCount, s);
            }

            BlendVector(ref mean, ref count, key, v, valid, one, minWeight);
        }

        return end;
    }

    private int ExpectedBlocks(ReadOnlySpan<int> weekSlots, ReadOnlySpan<int> daySlots, int keyCount, Span<double> destination, int stride)
    {
        int n = Vector256<double>.Count;
        int h = weekSlots.Length;
        int end = keyCount - (keyCount % n);
        nuint c = (nuint)_capacity;
        var rows = new Rows(this);
        ref double dest = ref MemoryMarshal.GetReference(destination);
        ref int weeks = ref MemoryMarshal.GetReference(weekSlots);
        ref int days = ref MemoryMarshal.GetReference(daySlots);
        nuint s = (nuint)stride;
        for (int k = 0; k < end; k += n)
        {
            nuint key = (nuint)k;
            ref double out0 = ref Unsafe.Add(ref dest, key * s);
            int j = 0;
            for (; j <= h - n; j += n)
            {
                var e0 = rows.Expected((((nuint)Unsafe.Add(ref weeks, j)) * c) + key, (((nuint)Unsafe.Add(ref days, j)) * c) + key, key);
                var e1 = rows.Expected((((nuint)Unsafe.Add(ref weeks, j + 1)) * c) + key, (((nuint)Unsafe.Add(ref days, j + 1)) * c) + key, key);
                var e2 = rows.Expected((((nuint)Unsafe.Add(ref weeks, j + 2)) * c) + key, (((nuint)Unsafe.Add(ref days, j + 2)) * c) + key, key);
                var e3 = rows.Expected((((nuint)Unsafe.Add(ref weeks, j + 3)) * c) + key, (((nuint)Unsafe.Add(ref days, j + 3)) * c) + key, key);

                // 4x4 transpose: e_i holds slot j+i of keys k..k+3, r_i holds slots j..j+3 of key k+i.
                var t0 = Avx.UnpackLow(e0, e1);
                var t1 = Avx.UnpackHigh(e0, e1);
                var t2 = Avx.UnpackLow(e2, e3);
                var t3 = Avx.UnpackHigh(e2, e3);
                nuint at = (nuint)j;
                Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref out0, at);
                Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref out0, at + s);
                Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref out0, at + (2 * s));
                Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref out0, at + (3 * s));
            }

            for (; j < h; j++)
            {
                var e = rows.Expected((((nuint)Unsafe.Add(ref weeks, j)) * c) + key, (((nuint)Unsafe.Add(ref days, j)) * c) + key, key);
                nuint at = (nuint)j;
                Unsafe.Add(ref out0, at) = e.GetElement(0);
                Unsafe.Add(ref out0, at + s) = e.GetElement(1);
                Unsafe.Add(ref out0, at + (2 * s)) = e.GetElement(2);
                Unsafe.Add(ref out0, at + (3 * s)) = e.GetElement(3);
            }
        }

        return end;
    }

    /// <summary>References to the rows a lookup reads, taken once per call instead of once per vector.</summary>
    private readonly ref struct Rows
    {
        private readonly ref double _weekMean;
        private readonly ref double _weekCount;
        private readonly ref double _dayMean;
        private readonly ref double _windowSum;
        private readonly ref double _windowCount;
        private readonly ref double _mean;
        private readonly ref double _count;
        private readonly Vector256<double> _minWeekCount;
        private readonly bool _window;

        public Rows(SeasonalProfile profile)
        {
            _weekMean = ref MemoryMarshal.GetArrayDataReference(profile._weekMean);
            _weekCount = ref MemoryMarshal.GetArrayDataReference(profile._weekCount);
            _dayMean = ref MemoryMarshal.GetArrayDataReference(profile._dayMean);
            _windowSum = ref MemoryMarshal.GetArrayDataReference(profile._windowSum);
            _windowCount = ref MemoryMarshal.GetArrayDataReference(profile._windowCount);
            _mean = ref MemoryMarshal.GetArrayDataReference(profile._mean);
            _count = ref MemoryMarshal.GetArrayDataReference(profile._count);
            _minWeekCount = Vector256.Create((double)profile._minWeekCount);
            _window = profile._radius > 0;
        }

        /// <summary>Expected for the 4 keys at week offset <paramref name="w"/>, day offset <paramref name="d"/>, key <paramref name="key"/>; callers check the bounds.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<double> Expected(nuint w, nuint d, nuint key)
        {
            var seasonal = Seasonal(w, d, out bool weekly);
            if (weekly)
            {
                return seasonal;
            }

            var count = Vector256.LoadUnsafe(ref _count, key);
            var mean = Vector256.LoadUnsafe(ref _mean, key);
            var overall = Vector256.ConditionalSelect(Vector256.GreaterThan(count, Vector256<double>.Zero), mean, Vector256.Create(double.NaN));
            return Vector256.ConditionalSelect(Vector256.Equals(seasonal, seasonal), seasonal, overall);
        }

        /// <summary>Week mean, else day (window) mean, else NaN for the 4 keys at offsets <paramref name="w"/> and <paramref name="d"/>; <paramref name="weekly"/> when all 4 had week data.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<double> Seasonal(nuint w, nuint d, out bool weekly)
        {
            var weekCount = Vector256.LoadUnsafe(ref _weekCount, w);
            var weekMean = Vector256.LoadUnsafe(ref _weekMean, w);
            var useWeek = Vector256.GreaterThanOrEqual(weekCount, _minWeekCount);
            weekly = Vector256.EqualsAll(useWeek.AsInt64(), Vector256<long>.AllBitsSet);
            if (weekly)
            {
                return weekMean;
            }

            var c = Vector256.LoadUnsafe(ref _windowCount, d);
            var day = _window ? Vector256.LoadUnsafe(ref _windowSum, d) / c : Vector256.LoadUnsafe(ref _dayMean, d);
            var fallback = Vector256.ConditionalSelect(Vector256.GreaterThan(c, Vector256<double>.Zero), day, Vector256.Create(double.NaN));
            return Vector256.ConditionalSelect(useWeek, weekMean, fallback);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlendVector(ref double means, ref double counts, nuint at, Vector256<double> y, Vector256<double> valid, Vector256<double> one, Vector256<double> minWeight)
    {
        // The scalar Blend, element-wise; Math.Max and MaxNative agree here since neither operand can be NaN.
        var m = Vector256.LoadUnsafe(ref means, at);
        var c = Vector256.LoadUnsafe(ref counts, at);
        var c1 = c + one;
        var m1 = m + (Vector256.MaxNative(one / c1, minWeight) * (y - m));
        Vector256.ConditionalSelect(valid, m1, m).StoreUnsafe(ref means, at);
        Vector256.ConditionalSelect(valid, c1, c).StoreUnsafe(ref counts, at);
    }

    private void Grow(int keys)
    {
        Relayout(ref _weekMean, _week, keys);
        Relayout(ref _weekCount, _week, keys);
        Relayout(ref _dayMean, _day, keys);
        Relayout(ref _dayCount, _day, keys);
        Relayout(ref _windowSum, _day, keys);
        Relayout(ref _windowCount, _day, keys);
        FlatState.Grow(ref _mean, keys, 0);
        FlatState.Grow(ref _count, keys, 0);
        _capacity = keys;
    }

    private void Relayout(ref double[] rows, int slots, int keys)
    {
        var grown = new double[slots * keys];
        int old = _capacity;
        if (old > 0)
        {
            for (int s = 0; s < slots; s++)
            {
                rows.AsSpan(s * old, old).CopyTo(grown.AsSpan(s * keys, old));
            }
        }

        rows = grown;
    }

    private void WriteKeyMajor(BinaryWriter writer, double[] rows, int slots, int keyCount)
    {
        writer.Write(keyCount * slots);
        for (int k = 0; k < keyCount; k++)
        {
            for (int s = 0; s < slots; s++)
            {
                writer.Write(rows[(s * _capacity) + k]);
            }
        }
    }

    private void ReadKeyMajor(BinaryReader reader, int slots, ref double[] rows)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length % slots != 0)
        {
            throw new InvalidDataException("Invalid seasonal profile length in forecaster state.");
        }

        int keys = length / slots;
        EnsureCapacity(keys);
        for (int k = 0; k < keys; k++)
        {
            for (int s = 0; s < slots; s++)
            {
                rows[(s * _capacity) + k] = reader.ReadDouble();
            }
        }
    }

    private int Wrap(int s) => s < 0 ? s + _day : s >= _day ? s - _day : s;

    private void Blend(ref double mean, ref double count, double y)
    {
        count += 1;
        double w = Math.Max(1.0 / count, _minWeight);
        mean += w * (y - mean);
    }
}
