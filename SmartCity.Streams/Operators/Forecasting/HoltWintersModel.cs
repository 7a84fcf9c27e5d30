namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Additive Holt-Winters with a damped trend and a daily season. A season slot starts at its first observation's
/// deviation from the level, so the model forecasts from the first day without a batch initialisation.
/// </summary>
internal sealed class HoltWintersModel : ForecastModel
{
    private const double Alpha = 0.3;
    private const double Beta = 0.02;
    private const double Gamma = 0.15;
    private const double Phi = 0.9;

    private readonly int _season;
    private double[] _level = [];
    private double[] _trend = [];
    private double[] _seasonal = [];

    public HoltWintersModel(int horizon, int season)
        : base(horizon) => _season = season;

    public override void EnsureCapacity(int keys)
    {
        FlatState.Grow(ref _level, keys, double.NaN);
        FlatState.Grow(ref _trend, keys, 0);
        FlatState.Grow(ref _seasonal, keys * _season, double.NaN);
    }

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        int h = Horizon;
        int m = _season;
        int slot = FlatState.Mod(step, m);
        for (int k = 0; k < keyCount; k++)
        {
            double y = values[k];
            double level = _level[k];
            double trend = _trend[k];
            int row = k * m;
            if (double.IsNaN(y))
            {
                if (!double.IsNaN(level))
                {
                    level += Phi * trend;
                    trend *= Phi;
                }
            }
            else if (double.IsNaN(level))
            {
                level = y;
                trend = 0;
                _seasonal[row + slot] = 0;
            }
            else
            {
                double s = _seasonal[row + slot];
                double newLevel = Alpha * (y - (double.IsNaN(s) ? 0 : s)) + ((1 - Alpha) * (level + (Phi * trend)));
                trend = (Beta * (newLevel - level)) + ((1 - Beta) * Phi * trend);
                level = newLevel;
                _seasonal[row + slot] = double.IsNaN(s) ? y - level : (Gamma * (y - level)) + ((1 - Gamma) * s);
            }

            _level[k] = level;
            _trend[k] = trend;

            Span<double> f = forecasts.Slice(k * h, h);
            double damp = 0;
            double phiPow = 1;
            int t = slot;
            for (int j = 0; j < h; j++)
            {
                phiPow *= Phi;
                damp += phiPow;
                t = t + 1 == m ? 0 : t + 1;
                double s = _seasonal[row + t];
                f[j] = level + (damp * trend) + (double.IsNaN(s) ? 0 : s);
            }
        }
    }

    public override void Write(BinaryWriter writer, int keyCount)
    {
        FlatState.Write(writer, _level, keyCount);
        FlatState.Write(writer, _trend, keyCount);
        FlatState.Write(writer, _seasonal, keyCount * _season);
    }

    public override void Read(BinaryReader reader)
    {
        FlatState.Read(reader, ref _level, double.NaN);
        FlatState.Read(reader, ref _trend, 0);
        FlatState.Read(reader, ref _seasonal, double.NaN);
    }
}
