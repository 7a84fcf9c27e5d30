using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Level shift and trend change by a two-sided CUSUM over the residuals of a seasonal baseline (the same model as
/// <see cref="SeasonalBaselineDetector"/>, 30-minute slots): standardised residuals accumulate, minus a drift allowance,
/// so a shift of a few spreads that lasts is found within a few rows while the daily pattern itself is never mistaken
/// for a shift. Once the sum crosses the decision level it restarts, and the baseline's level absorbs the new level.
/// </summary>
/// <remarks>Warm-up: as the seasonal baseline's (the first day behaves like an EWMA baseline); the sums start at 0.</remarks>
public sealed class LevelShiftDetector : CalibratedDetector
{
    /// <summary>Creates the detector.</summary>
    /// <param name="drift">Allowance subtracted per row, in units of the residual's mean absolute deviation. Default 2.5
    /// (about 2 standard deviations): smaller shifts are left to the seasonal detector.</param>
    /// <param name="decision">CUSUM level at which a shift is declared and the baseline reset. Default 30.</param>
    /// <param name="calibration">Calibration options; <see cref="CalibrationOptions.Default"/> when null.</param>
    public LevelShiftDetector(double drift = 2.5, double decision = 30, CalibrationOptions? calibration = null)
        : base(new Kernel(drift, decision), calibration)
    {
    }

    private sealed class Kernel : ISurpriseKernel
    {
        private readonly double _drift;
        private readonly double _decision;
        private readonly SeasonalModel _model = new(30);
        private int _capacity;
        private double[] _up = [];
        private double[] _down = [];

        public Kernel(double drift, double decision)
        {
            if (!(drift >= 0) || !(decision > 0) || double.IsInfinity(drift) || double.IsInfinity(decision))
            {
                ThrowHelper.ArgumentOutOfRange(nameof(decision), "drift must be >= 0 and decision > 0, both finite.");
            }

            _drift = drift;
            _decision = decision;
        }

        public string Name => "cusum";

        public void Resize(int keyCount)
        {
            _model.Resize(keyCount);
            if (keyCount <= _capacity)
            {
                return;
            }

            _capacity = StateArrays.NextCapacity(_capacity, keyCount);
            StateArrays.Grow(ref _up, _capacity, 0.0);
            StateArrays.Grow(ref _down, _capacity, 0.0);
        }

        public void Reset()
        {
            _model.Reset();
            _up.AsSpan().Clear();
            _down.AsSpan().Clear();
        }

        public void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise)
        {
            SeasonalModel model = _model;
            double[] upSums = _up;
            double[] downSums = _down;
            for (int i = 0; i < keys.Length; i++)
            {
                double x = values[i];
                if (!double.IsFinite(x))
                {
                    surprise[i] = double.NaN;
                    continue;
                }

                int k = keys[i];
                double z = Math.Clamp(model.Update(k, timesMicros[i], x), -50, 50);
                double up = Math.Max(0, upSums[k] + z - _drift);
                double down = Math.Max(0, downSums[k] - z - _drift);
                double g = Math.Max(up, down);
                surprise[i] = g;
                if (g > _decision)
                {
                    // The shift is declared: start over so the next shift is measured from here.
                    up = 0;
                    down = 0;
                }

                upSums[k] = up;
                downSums[k] = down;
            }
        }

        public void Write(BinaryWriter writer, int keyCount)
        {
            _model.Write(writer, keyCount);
            StateArrays.Write(writer, _up, keyCount);
            StateArrays.Write(writer, _down, keyCount);
        }

        public void Read(BinaryReader reader, int keyCount)
        {
            _model.Read(reader, keyCount);
            StateArrays.Read(reader, _up, keyCount);
            StateArrays.Read(reader, _down, keyCount);
        }
    }
}
