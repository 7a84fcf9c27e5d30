namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>Mean of every past value at the target's time-of-week slot (time of day until the week slot has data).</summary>
/// <remarks>
/// With one slot per step and H at most a day, the week and day slots a target reads are only written at the target's
/// own time of day, so its forecast is the same from every issue step in the horizon (horizon-invariant) unless the day
/// slot has never had a value: then the profile falls back to the overall mean, which moves every step. The model
/// tracks which day slots have data (slot-major, one byte per key) and the overall mean itself, so it can issue NaN
/// ("use the fallback") for such targets and hand the driver the current mean as the fallback.
/// </remarks>
internal sealed class HistoricalAverageModel : ForecastModel
{
    private readonly SeasonalProfile _profile;
    private readonly int[] _weekAhead;
    private readonly int[] _dayAhead;
    private readonly bool _invariant;
    private int _capacity;
    private double[] _last = [];
    private byte[] _daySeen = [];
    private double[] _mean = [];
    private double[] _count = [];

    public HistoricalAverageModel(int horizon, SeasonGrid grid)
        : base(horizon)
    {
        _profile = new SeasonalProfile(grid, minWeight: 0, minWeekCount: 1, radius: 0);
        _weekAhead = new int[horizon];
        _dayAhead = new int[horizon];
        _invariant = grid.IsIdentity && horizon <= grid.DaySlots;
    }

    public override bool IsHorizonInvariant => _invariant;

    public override void EnsureCapacity(int keys)
    {
        if (keys <= _capacity)
        {
            return;
        }

        _profile.EnsureCapacity(keys);
        FlatState.Grow(ref _last, keys, double.NaN);
        if (_invariant)
        {
            _daySeen = GrowRows(_daySeen, _profile.Grid.DaySlots, _capacity, keys, (byte)0);
            FlatState.Grow(ref _mean, keys, double.NaN);
            FlatState.Grow(ref _count, keys, 0);
        }

        _capacity = keys;
    }

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        int h = Horizon;
        SeasonGrid grid = _profile.Grid;
        int week = grid.WeekSlot(step);
        int day = grid.DaySlot(step);
        for (int j = 0; j < h; j++)
        {
            _weekAhead[j] = grid.WeekSlot(step + j + 1);
            _dayAhead[j] = grid.DaySlot(step + j + 1);
        }

        for (int k = 0; k < keyCount; k++)
        {
            double y = values[k];
            if (!double.IsNaN(y))
            {
                _profile.Update(k, week, day, y);
                _last[k] = y;
            }

            int row = k * h;
            for (int j = 0; j < h; j++)
            {
                double e = _profile.Expected(k, _weekAhead[j], _dayAhead[j]);
                forecasts[row + j] = double.IsNaN(e) ? _last[k] : e;
            }
        }
    }

    public override void StepInvariant(long step, ReadOnlySpan<double> values, int keyCount, Span<double> target)
    {
        SeasonalProfile profile = _profile;
        SeasonGrid grid = profile.Grid;
        int cap = _capacity;
        int week = grid.WeekSlot(step);
        int day = grid.DaySlot(step);
        int weekTarget = grid.WeekSlot(step + Horizon);
        int dayTarget = grid.DaySlot(step + Horizon);
        Span<byte> seen = _daySeen.AsSpan(day * cap, keyCount);
        ReadOnlySpan<byte> seenTarget = _daySeen.AsSpan(dayTarget * cap, keyCount);
        Span<double> mean = _mean.AsSpan(0, keyCount);
        Span<double> count = _count.AsSpan(0, keyCount);
        values = values[..keyCount];
        target = target[..keyCount];
        for (int k = 0; k < values.Length; k++)
        {
            double y = values[k];
            if (!double.IsNaN(y))
            {
                profile.Update(k, week, day, y);
                seen[k] = 1;

                // The profile's overall mean, bit for bit (it starts from 0, its weight floor is 0 here); NaN before the
                // first value doubles as the driver's "no value yet".
                double c = count[k] + 1;
                double m = double.IsNaN(mean[k]) ? 0 : mean[k];
                count[k] = c;
                mean[k] = m + (Math.Max(1.0 / c, 0) * (y - m));
            }

            // Update before lookup: with H equal to a day the target's slots are the ones just written.
            target[k] = seenTarget[k] != 0 ? profile.Expected(k, weekTarget, dayTarget) : double.NaN;
        }
    }

    public override ReadOnlySpan<double> Fallback(int keyCount) => _mean.AsSpan(0, keyCount);

    public override void Write(BinaryWriter writer, int keyCount)
    {
        _profile.Write(writer, keyCount);
        FlatState.Write(writer, _last, keyCount);
        if (_invariant)
        {
            WriteRows(writer, _daySeen, _profile.Grid.DaySlots, _capacity, keyCount);
            FlatState.Write(writer, _mean, keyCount);
            FlatState.Write(writer, _count, keyCount);
        }
    }

    public override void Read(BinaryReader reader)
    {
        _profile.Read(reader);
        FlatState.Read(reader, ref _last, double.NaN);
        if (_invariant)
        {
            ReadRows(reader, _daySeen, _profile.Grid.DaySlots, _capacity);
            FlatState.Read(reader, ref _mean, double.NaN);
            FlatState.Read(reader, ref _count, 0);
        }
    }
}
