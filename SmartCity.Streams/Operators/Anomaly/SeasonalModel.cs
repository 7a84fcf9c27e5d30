using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Per-key online model value ≈ level + time-of-day profile + day-of-week correction; <see cref="Update"/> returns the
/// signed residual of a reading in units of the usual residual spread, then learns from it.
/// </summary>
/// <remarks>State: one 32-byte struct per key, one 24-byte struct per (key, time-of-day slot) and one 16-byte struct
/// per (key, day of week, slot). The snapshot keeps the array-by-array layout of version 1. The time slot of the
/// previous row is cached (rows of a batch mostly share a slot), so the 64-bit divisions are paid once per slot change;
/// the learning weights max(α, 1/n) use precomputed thresholds instead of a division per row.</remarks>
internal sealed class SeasonalModel
{
    private const long MicrosPerMinute = 60_000_000L;
    private const long MicrosPerDay = 1440 * MicrosPerMinute;
    private const double LevelAlpha = 0.05;
    private const double ProfileAlpha = 0.1;
    private const double WeekAlpha = 0.3;
    private const double SpreadAlpha = 0.02;
    private static readonly long LevelSettled = StateArrays.WeightThreshold(LevelAlpha, 1);
    private static readonly long ProfileSettled = StateArrays.WeightThreshold(ProfileAlpha, 1);
    private static readonly long WeekSettled = StateArrays.WeightThreshold(WeekAlpha, 1);
    private static readonly long SpreadSettled = StateArrays.WeightThreshold(SpreadAlpha, 0);
    private readonly int _slots;
    private readonly long _slotMicros;
    private KeyState[] _key = [];
    private SlotState[] _tod = [];
    private WeekState[] _tow = [];
    private int _capacity;

    // Cache of the last time slot: [_slotStart, _slotStart + _cachedSpan) maps to (_cachedTod, _cachedDow);
    // the span is 0 (nothing cached) until the first row.
    private long _slotStart;
    private ulong _cachedSpan;
    private int _cachedTod;
    private int _cachedDow;

    public SeasonalModel(int slotMinutes)
    {
        if (slotMinutes <= 0 || 1440 % slotMinutes != 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(slotMinutes), "slotMinutes must be positive and divide 1440.");
        }

        _slots = 1440 / slotMinutes;
        _slotMicros = slotMinutes * MicrosPerMinute;
    }

    public void Resize(int keyCount)
    {
        if (keyCount <= _capacity)
        {
            return;
        }

        int cap = StateArrays.NextCapacity(_capacity, keyCount);
        StateArrays.Grow(ref _key, cap, default);
        StateArrays.Grow(ref _tod, cap * _slots, default);
        StateArrays.Grow(ref _tow, cap * _slots * 7, default);
        _capacity = cap;
    }

    public void Reset()
    {
        _key.AsSpan().Clear();
        _tod.AsSpan().Clear();
        _tow.AsSpan().Clear();
    }

    /// <summary>Signed residual / spread of <paramref name="x"/> (finite) for key <paramref name="k"/> at time <paramref name="t"/>; 0 for a key's first reading.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Update(int k, long t, double x) => Residual(k, t, x, out double scale) / scale;

    /// <summary>As <see cref="Update"/>, but returns the signed residual and its scale (&gt; 0) separately; their quotient is <see cref="Update"/>'s result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Residual(int k, long t, double x, out double scale)
    {
        Debug.Assert(k >= 0 && k < _capacity);
        if (unchecked((ulong)(t - _slotStart)) >= _cachedSpan)
        {
            FindSlot(t);
        }

        int slots = _slots;
        int tod = _cachedTod;
        int dow = _cachedDow;
        // Safe: k < capacity (the detector grew the state to the batch's largest key + 1), 0 <= tod < slots, 0 <= dow < 7.
        ref KeyState key = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_key), k);
        ref SlotState slot = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tod), (k * slots) + tod);
        ref WeekState week = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tow), (((k * 7) + dow) * slots) + tod);

        int n = key.Count;
        if (n == 0)
        {
            key.First = t;
            key.Level = x;
            key.Count = 1;
            scale = 1;
            return 0;
        }

        int tc = slot.Count;
        double season = tc > 0 ? slot.Mean : 0;
        int wc = week.Count;
        bool weekReady = t - key.First > 8 * MicrosPerDay && wc > 0;
        double weekValue = weekReady ? week.Mean : 0;
        double level = key.Level;
        double expected = level + season + weekValue;
        double resid = x - expected;
        double spread = key.Spread;
        double slotSpread = tc >= 4 ? slot.Spread : spread;
        scale = (0.5 * (spread + slotSpread)) + (1e-3 * Math.Abs(level)) + 1e-9;

        // Each weight is max(alpha, 1/count); the thresholds give the same value without a division once settled.
        double a = n >= LevelSettled ? LevelAlpha : 1.0 / (n + 1);
        key.Level = level + (a * (x - season - weekValue - level));
        double absResid = Math.Abs(resid);
        double sa = n >= SpreadSettled ? SpreadAlpha : 1.0 / n;
        key.Spread = spread + (sa * (absResid - spread));
        double pa = tc >= ProfileSettled ? ProfileAlpha : 1.0 / (tc + 1);
        double newSeason = season + (pa * (x - level - weekValue - season));
        slot.Mean = newSeason;
        slot.Spread = tc == 0 ? spread : slot.Spread + (pa * (absResid - slot.Spread));
        slot.Count = tc == int.MaxValue ? tc : tc + 1;
        double wa = wc >= WeekSettled ? WeekAlpha : 1.0 / (wc + 1);
        week.Mean += wa * (x - level - newSeason - week.Mean);
        week.Count = wc == int.MaxValue ? wc : wc + 1;
        key.Count = n == int.MaxValue ? n : n + 1;
        return resid;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FindSlot(long t)
    {
        int slots = _slots;
        long slotAbs = Math.DivRem(t, _slotMicros, out long rem);
        if (rem < 0)
        {
            slotAbs--;
        }

        _cachedTod = (int)(((slotAbs % slots) + slots) % slots);
        long day = slotAbs >= 0 ? slotAbs / slots : ((slotAbs + 1) / slots) - 1;
        // 1970-01-01 was a Thursday: +3 makes Monday 0.
        _cachedDow = (int)(((day + 3) % 7 + 7) % 7);
        // Start of the slot; at the very bottom of the long range it would wrap: then nothing is cached (span 0).
        long start = unchecked(t - (rem < 0 ? rem + _slotMicros : rem));
        _slotStart = start;
        _cachedSpan = start <= t ? (ulong)_slotMicros : 0;
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        int slotCount = keyCount * _slots;
        int weekCount = slotCount * 7;
        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(_key[k].Count);
        }

        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(_key[k].First);
        }

        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(_key[k].Level);
        }

        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(_key[k].Spread);
        }

        for (int i = 0; i < slotCount; i++)
        {
            writer.Write(_tod[i].Mean);
        }

        for (int i = 0; i < slotCount; i++)
        {
            writer.Write(_tod[i].Spread);
        }

        for (int i = 0; i < slotCount; i++)
        {
            writer.Write(_tod[i].Count);
        }

        for (int i = 0; i < weekCount; i++)
        {
            writer.Write(_tow[i].Mean);
        }

        for (int i = 0; i < weekCount; i++)
        {
            writer.Write(_tow[i].Count);
        }
    }

    public void Read(BinaryReader reader, int keyCount)
    {
        int slotCount = keyCount * _slots;
        int weekCount = slotCount * 7;
        for (int k = 0; k < keyCount; k++)
        {
            _key[k].Count = reader.ReadInt32();
        }

        for (int k = 0; k < keyCount; k++)
        {
            _key[k].First = reader.ReadInt64();
        }

        for (int k = 0; k < keyCount; k++)
        {
            _key[k].Level = reader.ReadDouble();
        }

        for (int k = 0; k < keyCount; k++)
        {
            _key[k].Spread = reader.ReadDouble();
        }

        for (int i = 0; i < slotCount; i++)
        {
            _tod[i].Mean = reader.ReadDouble();
        }

        for (int i = 0; i < slotCount; i++)
        {
            _tod[i].Spread = reader.ReadDouble();
        }

        for (int i = 0; i < slotCount; i++)
        {
            _tod[i].Count = reader.ReadInt32();
        }

        for (int i = 0; i < weekCount; i++)
        {
            _tow[i].Mean = reader.ReadDouble();
        }

        for (int i = 0; i < weekCount; i++)
        {
            _tow[i].Count = reader.ReadInt32();
        }
    }

    /// <summary>Per key: level and spread of the de-seasonalised value, 32 bytes.</summary>
    private struct KeyState
    {
        public long First;
        public double Level;
        public double Spread;
        public int Count;
    }

    /// <summary>Per (key, time-of-day slot): profile offset and residual spread, 24 bytes.</summary>
    private struct SlotState
    {
        public double Mean;
        public double Spread;
        public int Count;
    }

    /// <summary>Per (key, day of week, slot): day-of-week correction, 16 bytes.</summary>
    private struct WeekState
    {
        public double Mean;
        public int Count;
    }
}
