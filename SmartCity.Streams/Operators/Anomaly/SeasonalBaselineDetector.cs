namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Seasonal baseline: value ≈ level + time-of-day profile + day-of-week correction, all learnt online per key;
/// the residual, in units of the usual spread of the residual, is the surprise.
/// </summary>
/// <remarks>
/// <para>Time slots come from the event time (UTC microseconds): <c>slotMinutes</c>-wide slots of the day, and the same
/// slots of the week. The level is an exponentially weighted mean of the de-seasonalised value, so a level shift is
/// absorbed in a few hours while the daily shape is kept.</para>
/// <para>Warm-up: during the first day the time-of-day profile is filled in as each slot is first visited, so the
/// detector then behaves much like an EWMA detector and every daily change is new to it (which is why
/// <see cref="AnomalyScoreOptions.EventWarmUp"/> defaults to a day); the day-of-week correction is used after eight days.</para>
/// </remarks>
public sealed class SeasonalBaselineDetector : CalibratedDetector
{
    /// <summary>Creates the detector.</summary>
    /// <param name="slotMinutes">Width of a time-of-day slot in minutes; must divide 1440. Default 30.</param>
    /// <param name="calibration">Calibration options; <see cref="CalibrationOptions.Default"/> when null.</param>
    public SeasonalBaselineDetector(int slotMinutes = 30, CalibrationOptions? calibration = null)
        : base(new Kernel(slotMinutes), calibration)
    {
    }

    private sealed class Kernel : ISurpriseKernel
    {
        private readonly SeasonalModel _model;

        public Kernel(int slotMinutes)
        {
            _model = new SeasonalModel(slotMinutes);
        }

        public string Name => "seasonal";

        public void Resize(int keyCount) => _model.Resize(keyCount);

        public void Reset() => _model.Reset();

        public bool SplitsSurprise => true;

        public void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise)
        {
            SeasonalModel model = _model;
            int len = keys.Length;
            ReadOnlySpan<long> times = timesMicros[..len];
            ReadOnlySpan<double> vals = values[..len];
            Span<double> output = surprise[..len];
            for (int i = 0; i < keys.Length; i++)
            {
                double x = vals[i];
                output[i] = double.IsFinite(x) ? Math.Abs(model.Update(keys[i], times[i], x)) : double.NaN;
            }
        }

        public void SurpriseParts(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> deviation, Span<double> spread, Span<double> level)
        {
            SeasonalModel model = _model;
            int len = keys.Length;
            ReadOnlySpan<long> times = timesMicros[..len];
            ReadOnlySpan<double> vals = values[..len];
            Span<double> dev = deviation[..len];
            Span<double> scale = spread[..len];
            for (int i = 0; i < keys.Length; i++)
            {
                double x = vals[i];
                if (double.IsFinite(x))
                {
                    // |resid / scale| == |resid| / scale exactly (division is sign-symmetric).
                    dev[i] = Math.Abs(model.Residual(keys[i], times[i], x, out double s));
                    scale[i] = s;
                }
                else
                {
                    dev[i] = double.NaN;
                    scale[i] = 1;
                }
            }
        }

        public void Write(BinaryWriter writer, int keyCount) => _model.Write(writer, keyCount);

        public void Read(BinaryReader reader, int keyCount) => _model.Read(reader, keyCount);
    }
}
