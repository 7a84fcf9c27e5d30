using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Level shift and trend change by a two-sided CUSUM: standardised deviations from a slow baseline accumulate
/// (minus a drift allowance) until they cross a decision level; then the baseline jumps to the recent level and the
/// sums restart, so a lasting shift is reported once, at its start, and the new level becomes normal.
/// </summary>
/// <remarks>Warm-up: the baseline is a plain running mean for the first rows of a key; the sums start at 0.</remarks>
public sealed class LevelShiftDetector : CalibratedDetector
{
    /// <summary>Creates the detector.</summary>
    /// <param name="drift">Allowance subtracted per row, in units of spread. Default 0.5.</param>
    /// <param name="decision">CUSUM level at which a shift is declared and the baseline reset. Default 30.</param>
    /// <param name="calibration">Calibration options; <see cref="CalibrationOptions.Default"/> when null.</param>
    public LevelShiftDetector(double drift = 0.5, double decision = 30, CalibrationOptions? calibration = null)
        : base(new Kernel(drift, decision), calibration)
    {
    }

    private sealed class Kernel : ISurpriseKernel
    {
        private const double SlowAlpha = 0.005;
        private const double FastAlpha = 0.2;
        private readonly double _drift;
        private readonly double _decision;
        private int[] _count = [];
        private double[] _base = [];
        private double[] _spread = [];
        private double[] _fast = [];
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
            if (keyCount <= _count.Length)
            {
                return;
            }

            int cap = StateArrays.NextCapacity(_count.Length, keyCount);
            StateArrays.Grow(ref _count, cap, 0);
            StateArrays.Grow(ref _base, cap, 0.0);
            StateArrays.Grow(ref _spread, cap, 0.0);
            StateArrays.Grow(ref _fast, cap, 0.0);
            StateArrays.Grow(ref _up, cap, 0.0);
            StateArrays.Grow(ref _down, cap, 0.0);
        }

        public void Reset()
        {
            _count.AsSpan().Clear();
            _base.AsSpan().Clear();
            _spread.AsSpan().Clear();
            _fast.AsSpan().Clear();
            _up.AsSpan().Clear();
            _down.AsSpan().Clear();
        }

        public void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise)
        {
            for (int i = 0; i < keys.Length; i++)
            {
                double x = values[i];
                if (!double.IsFinite(x))
                {
                    surprise[i] = double.NaN;
                    continue;
                }

                int k = keys[i];
                int n = _count[k];
                double b = _base[k];
                double s = _spread[k];
                if (n == 0)
                {
                    _base[k] = x;
                    _fast[k] = x;
                    _count[k] = 1;
                    surprise[i] = 0;
                    continue;
                }

                double z = (x - b) / ((1.25 * s) + (1e-3 * Math.Abs(b)) + 1e-9);
                z = Math.Clamp(z, -1e6, 1e6);
                double up = Math.Max(0, _up[k] + z - _drift);
                double down = Math.Max(0, _down[k] - z - _drift);
                double g = Math.Max(up, down);
                surprise[i] = g;

                double a = Math.Max(SlowAlpha, 1.0 / (n + 1));
                double fast = _fast[k] + (Math.Max(FastAlpha, 1.0 / (n + 1)) * (x - _fast[k]));
                _fast[k] = fast;
                if (g > _decision)
                {
                    // The shift is real: adopt the recent level as the new normal and start over.
                    _base[k] = fast;
                    up = 0;
                    down = 0;
                }
                else
                {
                    _base[k] = b + (a * (x - b));
                    _spread[k] = s + (Math.Max(SlowAlpha, 1.0 / n) * (Math.Abs(x - b) - s));
                }

                _up[k] = up;
                _down[k] = down;
                _count[k] = n == int.MaxValue ? n : n + 1;
            }
        }

        public void Write(BinaryWriter writer, int keyCount)
        {
            StateArrays.Write(writer, _count, keyCount);
            StateArrays.Write(writer, _base, keyCount);
            StateArrays.Write(writer, _spread, keyCount);
            StateArrays.Write(writer, _fast, keyCount);
            StateArrays.Write(writer, _up, keyCount);
            StateArrays.Write(writer, _down, keyCount);
        }

        public void Read(BinaryReader reader, int keyCount)
        {
            StateArrays.Read(reader, _count, keyCount);
            StateArrays.Read(reader, _base, keyCount);
            StateArrays.Read(reader, _spread, keyCount);
            StateArrays.Read(reader, _fast, keyCount);
            StateArrays.Read(reader, _up, keyCount);
            StateArrays.Read(reader, _down, keyCount);
        }
    }
}
