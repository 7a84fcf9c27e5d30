namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// One forecasting model over all keys. The driver calls <see cref="Step"/> once per closed step with every key's value
/// (NaN when the key had no reading), so a model loops over keys inside one call and can read neighbours.
/// </summary>
internal abstract class ForecastModel
{
    protected ForecastModel(int horizon) => Horizon = horizon;

    protected int Horizon { get; }

    public abstract void EnsureCapacity(int keys);

    /// <summary>Learns from <paramref name="values"/> of step <paramref name="step"/> and writes forecasts for steps step+1..step+H to <paramref name="forecasts"/>[k*H + h-1]; unknown forecasts may be NaN, the driver falls back.</summary>
    public abstract void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts);

    public abstract void Write(BinaryWriter writer, int keyCount);

    public abstract void Read(BinaryReader reader);
}
