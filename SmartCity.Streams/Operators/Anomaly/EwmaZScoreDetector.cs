using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Z-score of each value against an exponentially weighted mean and variance of the key's past values.
/// Cheapest detector; good at spikes on a stable level, blind to seasonality.
/// </summary>
/// <remarks>Warm-up: the first row of a key sets its mean; the weights start at 1/n so early rows count fully.</remarks>
public sealed class EwmaZScoreDetector : CalibratedDetector
{
    /// <summary>Creates the detector.</summary>
    /// <param name="alpha">Smoothing weight of the mean and variance, in (0, 1). Default 0.02 (horizon of about 50 rows).</param>
    /// <param name="calibration">Calibration options; <see cref="CalibrationOptions.Default"/> when null.</param>
    public EwmaZScoreDetector(double alpha = 0.02, CalibrationOptions? calibration = null)
        : base(new Kernel(alpha), calibration)
    {
    }

    private sealed class Kernel : ISurpriseKernel
    {
        private readonly double _alpha;
        private int[] _count = [];
        private double[] _mean = [];
        private double[] _var = [];

        public Kernel(double alpha)
        {
            if (!(alpha > 0 && alpha < 1))
            {
                ThrowHelper.ArgumentOutOfRange(nameof(alpha), "alpha must be in (0, 1).");
            }

            _alpha = alpha;
        }

        public string Name => "ewma";

        public void Resize(int keyCount)
        {
            if (keyCount <= _count.Length)
            {
                return;
            }

            int cap = StateArrays.NextCapacity(_count.Length, keyCount);
            StateArrays.Grow(ref _count, cap, 0);
            StateArrays.Grow(ref _mean, cap, 0.0);
            StateArrays.Grow(ref _var, cap, 0.0);
        }

        public void Reset()
        {
            _count.AsSpan().Clear();
            _mean.AsSpan().Clear();
            _var.AsSpan().Clear();
        }

        public void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise)
        {
            int[] count = _count;
            double[] mean = _mean;
            double[] var = _var;
            double alpha = _alpha;
            for (int i = 0; i < keys.Length; i++)
            {
                double x = values[i];
                if (!double.IsFinite(x))
                {
                    surprise[i] = double.NaN;
                    continue;
                }

                int k = keys[i];
                int n = count[k];
                double m = mean[k];
                double v = var[k];
                surprise[i] = n == 0 ? 0 : Math.Abs(x - m) / (Math.Sqrt(v) + (1e-3 * Math.Abs(m)) + 1e-9);
                double a = Math.Max(alpha, 1.0 / (n + 1));
                double d = x - m;
                mean[k] = m + (a * d);
                var[k] = n == 0 ? 0 : (1 - a) * (v + (a * d * d));
                count[k] = n == int.MaxValue ? n : n + 1;
            }
        }

        public void Write(BinaryWriter writer, int keyCount)
        {
            StateArrays.Write(writer, _count, keyCount);
            StateArrays.Write(writer, _mean, keyCount);
            StateArrays.Write(writer, _var, keyCount);
        }

        public void Read(BinaryReader reader, int keyCount)
        {
            StateArrays.Read(reader, _count, keyCount);
            StateArrays.Read(reader, _mean, keyCount);
            StateArrays.Read(reader, _var, keyCount);
        }
    }
}
