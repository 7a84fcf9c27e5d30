namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>Mean of every past value at the target's time-of-week slot (time of day until the week slot has data).</summary>
/// <remarks>
/// With one slot per step and H at most a day, the week and day slots a target reads are only written at the target's
/// own time of day, so its forecast is the same from every issue step in the horizon (horizon-invariant) unless the day
/// slot has never had a value: then the profile falls back to the overall mean, which moves every step. The model
/// tracks which day slots have data (slot-major, one byte per key), so it can issue NaN ("use the fallback") for such
/// targets; the fallback asks the profile at read time, when that slot is still empty (it is only written at the
/// target's time of day), so the answer is the overall mean as of the read, as when every horizon was stepped.
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
        values = values[..keyCount];
        target = target[..keyCount];
        for (int k = 0; k < values.Length; k++)
        {
            double y = values[k];
            if (!double.IsNaN(y))
            {
                profile.Update(k, week, day, y);
                seen[k] = 1;
            }

            // Update before lookup: with H equal to a day the target's slots are the ones just written.
            target[k] = seenTarget[k] != 0 ? profile.Expected(k, weekTarget, dayTarget) : double.NaN;
        }
    }

    public override double Fallback(int key, long target)
    {
        SeasonGrid grid = _profile.Grid;
        return _profile.Expected(key, grid.WeekSlot(target), grid.DaySlot(target));
    }

    public override void Write(BinaryWriter writer, int keyCount)
    {
        _profile.Write(writer, keyCount);
        FlatState.Write(writer, _last, keyCount);
        if (_invariant)
        {
            WriteRows(writer, _daySeen, _profile.Grid.DaySlots, _capacity, keyCount);
        }
    }

    public override void Read(BinaryReader reader)
    {
        _profile.Read(reader);
        FlatState.Read(reader, ref _last, double.NaN);
        if (_invariant)
        {
            ReadRows(reader, _daySeen, _profile.Grid.DaySlots, _capacity);
        }
    }
}
