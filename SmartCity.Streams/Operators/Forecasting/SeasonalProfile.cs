namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Per key mean by time-of-week slot, with time-of-day and overall means as fallbacks while a week slot has too few
/// observations ("weekly where data allows"). Means are running averages whose weight never drops below
/// <c>minWeight</c>, so a non-zero floor lets the profile follow slow drift.
/// </summary>
internal sealed class SeasonalProfile
{
    private readonly int _day;
    private readonly int _week;
    private readonly double _minWeight;
    private readonly int _minWeekCount;
    private readonly int _radius;
    private double[] _weekMean = [];
    private double[] _weekCount = [];
    private double[] _dayMean = [];
    private double[] _dayCount = [];
    private double[] _mean = [];
    private double[] _count = [];

    public SeasonalProfile(int stepsPerDay, double minWeight, int minWeekCount, int radius)
    {
        _day = stepsPerDay;
        _week = stepsPerDay * 7;
        _minWeight = minWeight;
        _minWeekCount = minWeekCount;
        _radius = Math.Min(radius, (stepsPerDay - 1) / 2);
    }

    public void EnsureCapacity(int keys)
    {
        FlatState.Grow(ref _weekMean, keys * _week, 0);
        FlatState.Grow(ref _weekCount, keys * _week, 0);
        FlatState.Grow(ref _dayMean, keys * _day, 0);
        FlatState.Grow(ref _dayCount, keys * _day, 0);
        FlatState.Grow(ref _mean, keys, 0);
        FlatState.Grow(ref _count, keys, 0);
    }

    public void Update(int key, long step, double y)
    {
        Blend(ref _weekMean[(key * _week) + FlatState.Mod(step, _week)], ref _weekCount[(key * _week) + FlatState.Mod(step, _week)], y);
        Blend(ref _dayMean[(key * _day) + FlatState.Mod(step, _day)], ref _dayCount[(key * _day) + FlatState.Mod(step, _day)], y);
        Blend(ref _mean[key], ref _count[key], y);
    }

    /// <summary>Expected value of <paramref name="key"/> at <paramref name="step"/>; NaN before any observation.</summary>
    public double Expected(int key, long step)
    {
        int w = (key * _week) + FlatState.Mod(step, _week);
        if (_weekCount[w] >= _minWeekCount)
        {
            return _weekMean[w];
        }

        int row = key * _day;
        int slot = FlatState.Mod(step, _day);
        if (_radius == 0)
        {
            if (_dayCount[row + slot] > 0)
            {
                return _dayMean[row + slot];
            }
        }
        else
        {
            // Few days of history make single slots noisy; neighbouring slots of the same day carry the same shape.
            double sum = 0;
            double weight = 0;
            for (int d = -_radius; d <= _radius; d++)
            {
                int s = slot + d;
                s = s < 0 ? s + _day : s >= _day ? s - _day : s;
                double c = _dayCount[row + s];
                if (c > 0)
                {
                    sum += c * _dayMean[row + s];
                    weight += c;
                }
            }

            if (weight > 0)
            {
                return sum / weight;
            }
        }

        return _count[key] > 0 ? _mean[key] : double.NaN;
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        FlatState.Write(writer, _weekMean, keyCount * _week);
        FlatState.Write(writer, _weekCount, keyCount * _week);
        FlatState.Write(writer, _dayMean, keyCount * _day);
        FlatState.Write(writer, _dayCount, keyCount * _day);
        FlatState.Write(writer, _mean, keyCount);
        FlatState.Write(writer, _count, keyCount);
    }

    public void Read(BinaryReader reader)
    {
        FlatState.Read(reader, ref _weekMean, 0);
        FlatState.Read(reader, ref _weekCount, 0);
        FlatState.Read(reader, ref _dayMean, 0);
        FlatState.Read(reader, ref _dayCount, 0);
        FlatState.Read(reader, ref _mean, 0);
        FlatState.Read(reader, ref _count, 0);
    }

    private void Blend(ref double mean, ref double count, double y)
    {
        count += 1;
        double w = Math.Max(1.0 / count, _minWeight);
        mean += w * (y - mean);
    }
}
