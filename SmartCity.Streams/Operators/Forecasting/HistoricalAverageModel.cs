namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>Mean of every past value at the target's time-of-week slot (time of day until the week slot has data).</summary>
/// <remarks>
/// With one slot per step and H at most a day, the week and day slots a target reads are only written at the target's
/// own time of day, so its forecast is the same from every issue step in the horizon (horizon-invariant) unless the day
/// slot has never had a value: then the profile falls back to the overall mean, which moves every step. For such targets
/// the model issues NaN ("use the fallback", <see cref="SeasonalProfile.SeasonalRow"/>); the fallback asks the profile at
/// read time, when that slot is still empty (it is only written at the target's time of day), so the answer is the
/// overall mean as of the read, as when every horizon was stepped.
/// </remarks>
internal sealed class HistoricalAverageModel : ForecastModel
{
    private readonly SeasonalProfile _profile;
    private readonly int[] _weekAhead;
    private readonly int[] _dayAhead;
    private readonly bool _invariant;
    private int _capacity;
    private double[] _last = [];
    private double[] _scratch = [];

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
            FlatState.Grow(ref _scratch, keys, 0);
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

        // Update before lookup: with H equal to a day the target's slots are the ones just written.
        profile.Observe(values, keyCount, grid.WeekSlot(step), grid.DaySlot(step), _scratch);
        profile.SeasonalRow(grid.WeekSlot(step + Horizon), grid.DaySlot(step + Horizon), keyCount, target);
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
    }

    public override void Read(BinaryReader reader)
    {
        _profile.Read(reader);
        FlatState.Read(reader, ref _last, double.NaN);
    }
}
