namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Per key mean by time-of-week slot, with time-of-day and overall means as fallbacks while a week slot has too few
/// observations ("weekly where data allows"). Means are running averages whose weight never drops below
/// <c>minWeight</c>, so a non-zero floor lets the profile follow slow drift. With a radius r, the time-of-day fallback is
/// the count-weighted mean of slots s-r..s+r: a few days of history make single slots noisy, and neighbouring slots of
/// the same day carry the same shape. Window sums are kept up to date on every update so a lookup is O(1).
/// </summary>
internal sealed class SeasonalProfile
{
    private readonly SeasonGrid _grid;
    private readonly int _day;
    private readonly int _week;
    private readonly double _minWeight;
    private readonly int _minWeekCount;
    private readonly int _radius;
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
        FlatState.Grow(ref _weekMean, keys * _week, 0);
        FlatState.Grow(ref _weekCount, keys * _week, 0);
        FlatState.Grow(ref _dayMean, keys * _day, 0);
        FlatState.Grow(ref _dayCount, keys * _day, 0);
        FlatState.Grow(ref _windowSum, keys * _day, 0);
        FlatState.Grow(ref _windowCount, keys * _day, 0);
        FlatState.Grow(ref _mean, keys, 0);
        FlatState.Grow(ref _count, keys, 0);
    }

    public void Update(int key, long step, double y) => Update(key, _grid.WeekSlot(step), _grid.DaySlot(step), y);

    public void Update(int key, int weekSlot, int slot, double y)
    {
        int w = (key * _week) + weekSlot;
        Blend(ref _weekMean[w], ref _weekCount[w], y);
        int row = key * _day;
        double before = _dayCount[row + slot] * _dayMean[row + slot];
        Blend(ref _dayMean[row + slot], ref _dayCount[row + slot], y);
        double change = (_dayCount[row + slot] * _dayMean[row + slot]) - before;
        for (int d = -_radius; d <= _radius; d++)
        {
            int s = Wrap(slot + d);
            _windowSum[row + s] += change;
            _windowCount[row + s] += 1;
        }

        Blend(ref _mean[key], ref _count[key], y);
    }

    /// <summary>Expected value of <paramref name="key"/> at <paramref name="step"/>; NaN before any observation.</summary>
    public double Expected(int key, long step) => Expected(key, _grid.WeekSlot(step), _grid.DaySlot(step));

    /// <summary>Expected value at a week slot and the matching day slot (callers stepping through time advance both).</summary>
    public double Expected(int key, int weekSlot, int daySlot)
    {
        int w = (key * _week) + weekSlot;
        if (_weekCount[w] >= _minWeekCount)
        {
            return _weekMean[w];
        }

        int d = (key * _day) + daySlot;
        double c = _windowCount[d];
        if (c > 0)
        {
            return _radius == 0 ? _dayMean[d] : _windowSum[d] / c;
        }

        return _count[key] > 0 ? _mean[key] : double.NaN;
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        FlatState.Write(writer, _weekMean, keyCount * _week);
        FlatState.Write(writer, _weekCount, keyCount * _week);
        FlatState.Write(writer, _dayMean, keyCount * _day);
        FlatState.Write(writer, _dayCount, keyCount * _day);
        FlatState.Write(writer, _windowSum, keyCount * _day);
        FlatState.Write(writer, _windowCount, keyCount * _day);
        FlatState.Write(writer, _mean, keyCount);
        FlatState.Write(writer, _count, keyCount);
    }

    public void Read(BinaryReader reader)
    {
        FlatState.Read(reader, ref _weekMean, 0);
        FlatState.Read(reader, ref _weekCount, 0);
        FlatState.Read(reader, ref _dayMean, 0);
        FlatState.Read(reader, ref _dayCount, 0);
        FlatState.Read(reader, ref _windowSum, 0);
        FlatState.Read(reader, ref _windowCount, 0);
        FlatState.Read(reader, ref _mean, 0);
        FlatState.Read(reader, ref _count, 0);
    }

    private int Wrap(int s) => s < 0 ? s + _day : s >= _day ? s - _day : s;

    private void Blend(ref double mean, ref double count, double y)
    {
        count += 1;
        double w = Math.Max(1.0 / count, _minWeight);
        mean += w * (y - mean);
    }
}
