using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Robust z-score: distance of each value from an online median, in units of an online median absolute deviation (MAD).
/// The median and the MAD follow the data by small steps proportional to the MAD, so single outliers barely move
/// them (unlike a mean and a variance) while a lasting change is followed within a few hundred rows.
/// </summary>
/// <remarks>Warm-up: the first 16 rows of a key estimate the centre and spread by plain running means, then the
/// median-tracking steps take over.</remarks>
public sealed class RobustZScoreDetector : CalibratedDetector
{
    /// <summary>Creates the detector.</summary>
    /// <param name="step">Step of the median and MAD trackers as a fraction of the MAD, in (0, 1). Default 0.05.</param>
    /// <param name="calibration">Calibration options; <see cref="CalibrationOptions.Default"/> when null.</param>
    public RobustZScoreDetector(double step = 0.05, CalibrationOptions? calibration = null)
        : base(new Kernel(step), calibration)
    {
    }

    private sealed class Kernel : ISurpriseKernel
    {
        private const int WarmUp = 16;
        private readonly double _step;
        private int[] _count = [];
        private double[] _median = [];
        private double[] _mad = [];

        public Kernel(double step)
        {
            if (!(step > 0 && step < 1))
            {
                ThrowHelper.ArgumentOutOfRange(nameof(step), "step must be in (0, 1).");
            }

            _step = step;
        }

        public string Name => "robust";

        public void Resize(int keyCount)
        {
            if (keyCount <= _count.Length)
            {
                return;
            }

            int cap = StateArrays.NextCapacity(_count.Length, keyCount);
            StateArrays.Grow(ref _count, cap, 0);
            StateArrays.Grow(ref _median, cap, 0.0);
            StateArrays.Grow(ref _mad, cap, 0.0);
        }

        public void Reset()
        {
            _count.AsSpan().Clear();
            _median.AsSpan().Clear();
            _mad.AsSpan().Clear();
        }

        public void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise)
        {
            int[] count = _count;
            double[] median = _median;
            double[] mad = _mad;
            double step = _step;
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
                double m = median[k];
                double d = mad[k];
                double floor = (1e-3 * Math.Abs(m)) + 1e-9;
                double dev = x - m;
                surprise[i] = n == 0 ? 0 : Math.Abs(dev) / ((1.4826 * d) + floor);
                if (n < WarmUp)
                {
                    double a = 1.0 / (n + 1);
                    median[k] = m + (a * dev);
                    mad[k] = n == 0 ? 0 : d + (a * ((Math.Abs(dev) * 0.8) - d));
                }
                else
                {
                    double scale = d + floor;
                    // Frugal quantile tracking: the median moves towards the value by a fixed fraction of the spread,
                    // but never past the value itself; the MAD does the same with the absolute deviation.
                    double move = Math.Min(step * scale, Math.Abs(dev));
                    median[k] = m + (dev >= 0 ? move : -move);
                    double ad = Math.Abs(dev) - d;
                    double moveD = Math.Min(step * scale, Math.Abs(ad));
                    mad[k] = d + (ad >= 0 ? moveD : -moveD);
                }

                count[k] = n == int.MaxValue ? n : n + 1;
            }
        }

        public void Write(BinaryWriter writer, int keyCount)
        {
            StateArrays.Write(writer, _count, keyCount);
            StateArrays.Write(writer, _median, keyCount);
            StateArrays.Write(writer, _mad, keyCount);
        }

        public void Read(BinaryReader reader, int keyCount)
        {
            StateArrays.Read(reader, _count, keyCount);
            StateArrays.Read(reader, _median, keyCount);
            StateArrays.Read(reader, _mad, keyCount);
        }
    }
}
