using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Per-key online model value ≈ level + time-of-day profile + day-of-week correction; <see cref="Update"/> returns the
/// signed residual of a reading in units of the usual residual spread, then learns from it.
/// </summary>
internal sealed class SeasonalModel
{
    private const long MicrosPerMinute = 60_000_000L;
    private const long MicrosPerDay = 1440 * MicrosPerMinute;
    private const double LevelAlpha = 0.05;
    private const double ProfileAlpha = 0.1;
    private const double WeekAlpha = 0.3;
    private const double SpreadAlpha = 0.02;
    private readonly int _slots;
    private readonly long _slotMicros;
    private int[] _count = [];
    private long[] _first = [];
    private double[] _level = [];
    private double[] _spread = [];
    private double[] _tod = [];
    private double[] _todSpread = [];
    private int[] _todCount = [];
    private double[] _tow = [];
    private int[] _towCount = [];

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
        if (keyCount <= _count.Length)
        {
            return;
        }

        int cap = StateArrays.NextCapacity(_count.Length, keyCount);
        StateArrays.Grow(ref _count, cap, 0);
        StateArrays.Grow(ref _first, cap, 0L);
        StateArrays.Grow(ref _level, cap, 0.0);
        StateArrays.Grow(ref _spread, cap, 0.0);
        StateArrays.Grow(ref _tod, cap * _slots, 0.0);
        StateArrays.Grow(ref _todSpread, cap * _slots, 0.0);
        StateArrays.Grow(ref _todCount, cap * _slots, 0);
        StateArrays.Grow(ref _tow, cap * _slots * 7, 0.0);
        StateArrays.Grow(ref _towCount, cap * _slots * 7, 0);
    }

    public void Reset()
    {
        _count.AsSpan().Clear();
        _first.AsSpan().Clear();
        _level.AsSpan().Clear();
        _spread.AsSpan().Clear();
        _tod.AsSpan().Clear();
        _todSpread.AsSpan().Clear();
        _todCount.AsSpan().Clear();
        _tow.AsSpan().Clear();
        _towCount.AsSpan().Clear();
    }

    /// <summary>Signed residual / spread of <paramref name="x"/> (finite) for key <paramref name="k"/> at time <paramref name="t"/>; 0 for a key's first reading.</summary>
    public double Update(int k, long t, double x)
    {
        int slots = _slots;
        long slotAbs = Math.DivRem(t, _slotMicros, out long rem);
        if (rem < 0)
        {
            slotAbs--;
        }

        int tod = (int)(((slotAbs % slots) + slots) % slots);
        long day = slotAbs >= 0 ? slotAbs / slots : ((slotAbs + 1) / slots) - 1;
        // 1970-01-01 was a Thursday: +3 makes Monday 0.
        int dow = (int)(((day + 3) % 7 + 7) % 7);
        int ti = (k * slots) + tod;
        int wi = (((k * 7) + dow) * slots) + tod;

        int n = _count[k];
        if (n == 0)
        {
            _first[k] = t;
            _level[k] = x;
            _count[k] = 1;
            return 0;
        }

        int tc = _todCount[ti];
        double season = tc > 0 ? _tod[ti] : 0;
        bool weekReady = t - _first[k] > 8 * MicrosPerDay && _towCount[wi] > 0;
        double week = weekReady ? _tow[wi] : 0;
        double level = _level[k];
        double expected = level + season + week;
        double resid = x - expected;
        double spread = _spread[k];
        double slotSpread = tc >= 4 ? _todSpread[ti] : spread;
        double scale = (0.5 * (spread + slotSpread)) + (1e-3 * Math.Abs(level)) + 1e-9;
        double z = resid / scale;

        double a = Math.Max(LevelAlpha, 1.0 / (n + 1));
        _level[k] = level + (a * (x - season - week - level));
        double absResid = Math.Abs(resid);
        double sa = Math.Max(SpreadAlpha, 1.0 / n);
        _spread[k] = spread + (sa * (absResid - spread));
        double pa = Math.Max(ProfileAlpha, 1.0 / (tc + 1));
        double newSeason = season + (pa * (x - level - week - season));
        _tod[ti] = newSeason;
        _todSpread[ti] = tc == 0 ? spread : _todSpread[ti] + (pa * (absResid - _todSpread[ti]));
        _todCount[ti] = tc == int.MaxValue ? tc : tc + 1;
        int wc = _towCount[wi];
        double wa = Math.Max(WeekAlpha, 1.0 / (wc + 1));
        _tow[wi] = _tow[wi] + (wa * (x - level - newSeason - _tow[wi]));
        _towCount[wi] = wc == int.MaxValue ? wc : wc + 1;
        _count[k] = n == int.MaxValue ? n : n + 1;
        return z;
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        StateArrays.Write(writer, _count, keyCount);
        StateArrays.Write(writer, _first, keyCount);
        StateArrays.Write(writer, _level, keyCount);
        StateArrays.Write(writer, _spread, keyCount);
        StateArrays.Write(writer, _tod, keyCount * _slots);
        StateArrays.Write(writer, _todSpread, keyCount * _slots);
        StateArrays.Write(writer, _todCount, keyCount * _slots);
        StateArrays.Write(writer, _tow, keyCount * _slots * 7);
        StateArrays.Write(writer, _towCount, keyCount * _slots * 7);
    }

    public void Read(BinaryReader reader, int keyCount)
    {
        StateArrays.Read(reader, _count, keyCount);
        StateArrays.Read(reader, _first, keyCount);
        StateArrays.Read(reader, _level, keyCount);
        StateArrays.Read(reader, _spread, keyCount);
        StateArrays.Read(reader, _tod, keyCount * _slots);
        StateArrays.Read(reader, _todSpread, keyCount * _slots);
        StateArrays.Read(reader, _todCount, keyCount * _slots);
        StateArrays.Read(reader, _tow, keyCount * _slots * 7);
        StateArrays.Read(reader, _towCount, keyCount * _slots * 7);
    }
}
