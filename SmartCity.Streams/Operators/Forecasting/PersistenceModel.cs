namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>Holds the last observed value for every horizon: the reference every other model must beat.</summary>
internal sealed class PersistenceModel : ForecastModel
{
    private double[] _last = [];

    public PersistenceModel(int horizon)
        : base(horizon)
    {
    }

    public override void EnsureCapacity(int keys) => FlatState.Grow(ref _last, keys, double.NaN);

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        int h = Horizon;
        for (int k = 0; k < keyCount; k++)
        {
            double y = values[k];
            if (!double.IsNaN(y))
            {
                _last[k] = y;
            }

            forecasts.Slice(k * h, h).Fill(_last[k]);
        }
    }

    public override void Write(BinaryWriter writer, int keyCount) => FlatState.Write(writer, _last, keyCount);

    public override void Read(BinaryReader reader) => FlatState.Read(reader, ref _last, double.NaN);
}
