namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>Mean of every past value at the target's time-of-week slot (time of day until the week slot has data).</summary>
internal sealed class HistoricalAverageModel : ForecastModel
{
    private readonly SeasonalProfile _profile;
    private double[] _last = [];

    public HistoricalAverageModel(int horizon, SeasonGrid grid)
        : base(horizon) => _profile = new SeasonalProfile(grid, minWeight: 0, minWeekCount: 1, radius: 0);

    public override void EnsureCapacity(int keys)
    {
        _profile.EnsureCapacity(keys);
        FlatState.Grow(ref _last, keys, double.NaN);
    }

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        int h = Horizon;
        for (int k = 0; k < keyCount; k++)
        {
            double y = values[k];
            if (!double.IsNaN(y))
            {
                _profile.Update(k, step, y);
                _last[k] = y;
            }

            int row = k * h;
            SeasonGrid grid = _profile.Grid;
            int week = grid.WeekSlot(step);
            int day = grid.DaySlot(step);
            for (int j = 0; j < h; j++)
            {
                if (grid.IsIdentity)
                {
                    week = week + 1 == grid.WeekSlots ? 0 : week + 1;
                    day = day + 1 == grid.DaySlots ? 0 : day + 1;
                }
                else
                {
                    week = grid.WeekSlot(step + j + 1);
                    day = grid.DaySlot(step + j + 1);
                }

                double e = _profile.Expected(k, week, day);
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
