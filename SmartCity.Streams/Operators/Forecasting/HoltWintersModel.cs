namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Additive Holt-Winters with a damped trend and a daily season. The first two seasons of a key only collect values (the
/// driver falls back to the last value meanwhile): the trend starts at the difference of their means, the level at the
/// trend line's end and the seasonal indices at the mean deviations from that line, the classical initialisation done
/// online. Starting the smoothing earlier lets the level absorb the first day's shape, and that error then decays only
/// at the seasonal rate.
/// A weekly index per time-of-week slot (double seasonality, after Taylor 2003) learns what the daily season leaves:
/// it starts at 0 and is first used when its slot comes round again a week later, so it only acts where the data holds
/// more than a week ("weekly where data allows").
/// </summary>
internal sealed class HoltWintersModel : ForecastModel
{
    private const double Alpha = 0.3;
    private const double Beta = 0.02;
    private const double Gamma = 0.15;
    private const double GammaWeek = 0.2;

    private readonly SeasonGrid _grid;
    private readonly int _season;
    private readonly double _phi;
    private readonly int[] _dayAhead;
    private readonly int[] _weekAhead;
    private double[] _level = [];
    private double[] _trend = [];
    private double[] _seasonal = [];
    private double[] _weekly = [];
    private double[] _start = [];
    private double[] _firstMean = [];
    private double[] _secondSum = [];
    private double[] _secondCount = [];

    public HoltWintersModel(int horizon, SeasonGrid grid, double phi)
        : base(horizon)
    {
        _grid = grid;
        _season = grid.DaySlots;
        _phi = phi;
        _dayAhead = new int[horizon];
        _weekAhead = new int[horizon];
    }

    public override void EnsureCapacity(int keys)
    {
        FlatState.Grow(ref _level, keys, double.NaN);
        FlatState.Grow(ref _trend, keys, 0);
        FlatState.Grow(ref _seasonal, keys * _season, double.NaN);
        FlatState.Grow(ref _weekly, keys * _grid.WeekSlots, 0);
        FlatState.Grow(ref _start, keys, double.NaN);
        FlatState.Grow(ref _firstMean, keys, double.NaN);
        FlatState.Grow(ref _secondSum, keys, 0);
        FlatState.Grow(ref _secondCount, keys, 0);
    }

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        int h = Horizon;
        int m = _season;
        int weekSlots = _grid.WeekSlots;
        int slot = _grid.DaySlot(step);
        int week = _grid.WeekSlot(step);
        for (int j = 0; j < h; j++)
        {
            _dayAhead[j] = _grid.DaySlot(step + j + 1);
            _weekAhead[j] = _grid.WeekSlot(step + j + 1);
        }

        for (int k = 0; k < keyCount; k++)
        {
            double y = values[k];
            double level = _level[k];
            double trend = _trend[k];
            int row = k * m;
            int weekRow = k * weekSlots;
            if (double.IsNaN(level))
            {
                level = Initialise(k, step, slot, y, out trend);
            }
            else if (double.IsNaN(y))
            {
                level += _phi * trend;
                trend *= _phi;
            }
            else
            {
                // Error-correction form: every component moves with the same one-step error, so once the weekly index
                // explains the weekday pattern the daily index and the level stop chasing it.
                double s = _seasonal[row + slot];
                double w = _weekly[weekRow + week];
                double e = y - (level + (_phi * trend) + s + w);
                level += (_phi * trend) + (Alpha * e);
                trend = (_phi * trend) + (Alpha * Beta * e);
                _seasonal[row + slot] = s + (Gamma * (1 - Alpha) * e);
                _weekly[weekRow + week] = w + (GammaWeek * (1 - Alpha) * e);
            }

            _level[k] = level;
            _trend[k] = trend;
            Span<double> f = forecasts.Slice(k * h, h);
            if (double.IsNaN(level))
            {
                f.Fill(double.NaN);
                continue;
            }

            double damp = 0;
            double phiPow = 1;
            for (int j = 0; j < h; j++)
            {
                phiPow *= _phi;
                damp += phiPow;
                f[j] = level + (damp * trend) + _seasonal[row + _dayAhead[j]] + _weekly[weekRow + _weekAhead[j]];
            }
        }
    }

    /// <summary>Collects the first two seasons; returns the initial level (and trend) once they are complete, else NaN.</summary>
    private double Initialise(int k, long step, int slot, double y, out double trend)
    {
        trend = 0;
        int m = _season;
        long seasonSteps = _grid.StepsPerDay;
        int row = k * m;
        if (double.IsNaN(_start[k]))
        {
            if (double.IsNaN(y))
            {
                return double.NaN;
            }

            _start[k] = step;
        }

        long age = step - (long)_start[k];
        if (age < seasonSteps)
        {
            _seasonal[row + slot] = y;
            if (age == seasonSteps - 1)
            {
                _firstMean[k] = MeanOfSlots(_seasonal.AsSpan(row, m));
            }

            return double.NaN;
        }

        if (!double.IsNaN(y))
        {
            double first = _seasonal[row + slot];
            _seasonal[row + slot] = double.IsNaN(first) ? y : (first + y) / 2;
            _secondSum[k] += y;
            _secondCount[k] += 1;
        }

        if (age < (2 * seasonSteps) - 1)
        {
            return double.NaN;
        }

        // Slot averages over both seasons sit on the trend line half a season after the first season's slot time.
        double mean1 = _firstMean[k];
        double b = _secondCount[k] > 0 && !double.IsNaN(mean1) ? ((_secondSum[k] / _secondCount[k]) - mean1) / seasonSteps : 0;
        if (double.IsNaN(mean1))
        {
            mean1 = _secondSum[k] / _secondCount[k];
        }

        int firstSlot = _grid.DaySlot((long)_start[k]);
        double width = _grid.StepsPerSlot;
        Span<double> season = _seasonal.AsSpan(row, m);
        for (int s = 0; s < m; s++)
        {
            int i = FlatState.Mod(s - firstSlot, m);
            season[s] = double.IsNaN(season[s]) ? 0 : season[s] - mean1 - (b * ((i * width) + (width / 2)));
        }

        trend = b;
        return mean1 + (b * ((1.5 * seasonSteps) - 0.5));
    }

    private static double MeanOfSlots(ReadOnlySpan<double> season)
    {
        double sum = 0;
        int n = 0;
        foreach (double v in season)
        {
            if (!double.IsNaN(v))
            {
                sum += v;
                n++;
            }
        }

        return n > 0 ? sum / n : double.NaN;
    }

    public override void Write(BinaryWriter writer, int keyCount)
    {
        FlatState.Write(writer, _level, keyCount);
        FlatState.Write(writer, _trend, keyCount);
        FlatState.Write(writer, _seasonal, keyCount * _season);
        FlatState.Write(writer, _weekly, keyCount * _grid.WeekSlots);
        FlatState.Write(writer, _start, keyCount);
        FlatState.Write(writer, _firstMean, keyCount);
        FlatState.Write(writer, _secondSum, keyCount);
        FlatState.Write(writer, _secondCount, keyCount);
    }

    public override void Read(BinaryReader reader)
    {
        FlatState.Read(reader, ref _level, double.NaN);
        FlatState.Read(reader, ref _trend, 0);
        FlatState.Read(reader, ref _seasonal, double.NaN);
        FlatState.Read(reader, ref _weekly, 0);
        FlatState.Read(reader, ref _start, double.NaN);
        FlatState.Read(reader, ref _firstMean, double.NaN);
        FlatState.Read(reader, ref _secondSum, 0);
        FlatState.Read(reader, ref _secondCount, 0);
    }
}
