namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>Mean of every past value at the target's time-of-week slot (time of day until the week slot has data).</summary>
internal sealed class HistoricalAverageModel : ForecastModel
{
    private readonly SeasonalProfile _profile;
    private readonly int[] _weekAhead;
    private readonly int[] _dayAhead;
    private double[] _last = [];

    public HistoricalAverageModel(int horizon, SeasonGrid grid)
        : base(horizon)
    {
        _profile = new SeasonalProfile(grid, minWeight: 0, minWeekCount: 1, radius: 0);
        _weekAhead = new int[horizon];
        _dayAhead = new int[horizon];
    }

    public override void EnsureCapacity(int keys)
    {
        _profile.EnsureCapacity(keys);
        FlatState.Grow(ref _last, keys, double.NaN);
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
