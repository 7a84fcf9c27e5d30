namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Forecasts the value observed one season (one day) earlier at the same slot; a missing slot falls back to the last
/// value. With steps under 5 minutes a slot holds several steps and keeps the latest of them.
/// </summary>
internal sealed class SeasonalNaiveModel : ForecastModel
{
    private readonly SeasonGrid _grid;
    private readonly int _season;
    private double[] _history = [];
    private double[] _last = [];

    public SeasonalNaiveModel(int horizon, SeasonGrid grid)
        : base(horizon)
    {
        _grid = grid;
        _season = grid.DaySlots;
    }

    public override void EnsureCapacity(int keys)
    {
        FlatState.Grow(ref _history, keys * _season, double.NaN);
        FlatState.Grow(ref _last, keys, double.NaN);
    }

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        int h = Horizon;
        int m = _season;
        int slot = _grid.DaySlot(step);
        for (int k = 0; k < keyCount; k++)
        {
            double y = values[k];
            int row = k * m;
            _history[row + slot] = y;
            if (!double.IsNaN(y))
            {
                _last[k] = y;
            }

            Span<double> f = forecasts.Slice(k * h, h);
            int s = slot;
            for (int j = 0; j < h; j++)
            {
                s = _grid.IsIdentity ? (s + 1 == m ? 0 : s + 1) : _grid.DaySlot(step + j + 1);
                double v = _history[row + s];
                f[j] = double.IsNaN(v) ? _last[k] : v;
            }
        }
    }

    public override void Write(BinaryWriter writer, int keyCount)
    {
        FlatState.Write(writer, _history, keyCount * _season);
        FlatState.Write(writer, _last, keyCount);
    }

    public override void Read(BinaryReader reader)
    {
        FlatState.Read(reader, ref _history, double.NaN);
        FlatState.Read(reader, ref _last, double.NaN);
    }
}
