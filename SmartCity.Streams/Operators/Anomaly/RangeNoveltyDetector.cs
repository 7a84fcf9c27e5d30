using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Range novelty: a value beyond the range the key has ever shown (by more than a tolerance of that range) is
/// surprising in proportion to how far beyond it lies. Record highs and lows after a long history are rare in normal
/// operation and typical of incidents and failures; the range then widens, so the same level is not reported twice.
/// </summary>
/// <remarks>Warm-up: the first <c>warmUpRows</c> rows of a key only build the range and score 0.</remarks>
public sealed class RangeNoveltyDetector : CalibratedDetector
{
    /// <summary>Creates the detector.</summary>
    /// <param name="tolerance">Fraction of the range a value may exceed it without surprise. Default 0.05.</param>
    /// <param name="warmUpRows">Rows that only build the range. Default 100.</param>
    /// <param name="calibration">Calibration options; <see cref="CalibrationOptions.Default"/> when null.</param>
    public RangeNoveltyDetector(double tolerance = 0.05, int warmUpRows = 100, CalibrationOptions? calibration = null)
        : base(new Kernel(tolerance, warmUpRows), calibration)
    {
    }

    private sealed class Kernel : ISurpriseKernel
    {
        private readonly double _tolerance;
        private readonly int _warmUp;
        private int[] _count = [];
        private double[] _min = [];
        private double[] _max = [];

        public Kernel(double tolerance, int warmUpRows)
        {
            if (!(tolerance >= 0) || double.IsInfinity(tolerance) || warmUpRows < 0)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(tolerance), "tolerance must be a finite number >= 0 and warmUpRows >= 0.");
            }

            _tolerance = tolerance;
            _warmUp = warmUpRows;
        }

        public string Name => "range";

        public void Resize(int keyCount)
        {
            if (keyCount <= _count.Length)
            {
                return;
            }

            int cap = StateArrays.NextCapacity(_count.Length, keyCount);
            StateArrays.Grow(ref _count, cap, 0);
            StateArrays.Grow(ref _min, cap, 0.0);
            StateArrays.Grow(ref _max, cap, 0.0);
        }

        public void Reset()
        {
            _count.AsSpan().Clear();
            _min.AsSpan().Clear();
            _max.AsSpan().Clear();
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
                if (n == 0)
                {
                    _min[k] = x;
                    _max[k] = x;
                    _count[k] = 1;
                    surprise[i] = 0;
                    continue;
                }

                double lo = _min[k];
                double hi = _max[k];
                double range = hi - lo + (1e-3 * Math.Max(Math.Abs(hi), Math.Abs(lo))) + 1e-9;
                double beyond = Math.Max(x - hi, lo - x) / range;
                surprise[i] = n < _warmUp ? 0 : Math.Max(0, beyond - _tolerance) * 20;
                _min[k] = Math.Min(lo, x);
                _max[k] = Math.Max(hi, x);
                _count[k] = n == int.MaxValue ? n : n + 1;
            }
        }

        public void Write(BinaryWriter writer, int keyCount)
        {
            StateArrays.Write(writer, _count, keyCount);
            StateArrays.Write(writer, _min, keyCount);
            StateArrays.Write(writer, _max, keyCount);
        }

        public void Read(BinaryReader reader, int keyCount)
        {
            StateArrays.Read(reader, _count, keyCount);
            StateArrays.Read(reader, _min, keyCount);
            StateArrays.Read(reader, _max, keyCount);
        }
    }
}
