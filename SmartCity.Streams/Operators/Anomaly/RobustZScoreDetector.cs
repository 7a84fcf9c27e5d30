using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        private State[] _state = [];

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
            if (keyCount <= _state.Length)
            {
                return;
            }

            StateArrays.Grow(ref _state, StateArrays.NextCapacity(_state.Length, keyCount), default);
        }

        public void Reset() => _state.AsSpan().Clear();

        public bool SplitsSurprise => true;

        public void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise) =>
            Run(keys, values, surprise, default, split: false);

        public void SurpriseParts(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> deviation, Span<double> spread, Span<double> level) =>
            Run(keys, values, deviation, spread, split: true);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Run(ReadOnlySpan<int> keys, ReadOnlySpan<double> values, Span<double> surprise, Span<double> spread, bool split)
        {
            int len = keys.Length;
            Debug.Assert(values.Length == len && surprise.Length == len);
            // Safe: AnomalyDetector.Score grew the state to the batch's largest key + 1 before scoring, and keys are >= 0.
            Debug.Assert(len == 0 || StateArrays.MaxKey(keys) < _state.Length);
            ref State state = ref MemoryMarshal.GetArrayDataReference(_state);
            ref int key = ref MemoryMarshal.GetReference(keys);
            ref double value = ref MemoryMarshal.GetReference(values);
            ref double output = ref MemoryMarshal.GetReference(surprise);
            ref double spreadOut = ref MemoryMarshal.GetReference(spread);
            Debug.Assert(!split || spread.Length >= len);
            double step = _step;
            for (int i = 0; i < len; i++)
            {
                double x = Unsafe.Add(ref value, i);
                if (!double.IsFinite(x))
                {
                    Unsafe.Add(ref output, i) = double.NaN;
                    continue;
                }

                ref State st = ref Unsafe.Add(ref state, Unsafe.Add(ref key, i));
                int n = st.Count;
                double m = st.Median;
                double d = st.Mad;
                double floor = (1e-3 * Math.Abs(m)) + 1e-9;
                double dev = x - m;
                double num = n == 0 ? 0 : Math.Abs(dev);
                double den = n == 0 ? 1 : (1.4826 * d) + floor;
                if (split)
                {
                    Unsafe.Add(ref output, i) = num;
                    Unsafe.Add(ref spreadOut, i) = den;
                }
                else
                {
                    Unsafe.Add(ref output, i) = num / den;
                }
                if (n < WarmUp)
                {
                    double a = 1.0 / (n + 1);
                    st.Median = m + (a * dev);
                    st.Mad = n == 0 ? 0 : d + (a * ((Math.Abs(dev) * 0.8) - d));
                }
                else
                {
                    double scale = d + floor;
                    // Frugal quantile tracking: the median moves towards the value by a fixed fraction of the spread,
                    // but never past the value itself; the MAD does the same with the absolute deviation.
                    double move = Math.Min(step * scale, Math.Abs(dev));
                    st.Median = m + (dev >= 0 ? move : -move);
                    double ad = Math.Abs(dev) - d;
                    double moveD = Math.Min(step * scale, Math.Abs(ad));
                    st.Mad = d + (ad >= 0 ? moveD : -moveD);
                }

                st.Count = n == int.MaxValue ? n : n + 1;
            }
        }

        public void Write(BinaryWriter writer, int keyCount) => StateArrays.WriteColumns(writer, _state, keyCount);

        public void Read(BinaryReader reader, int keyCount) => StateArrays.ReadColumns(reader, _state, keyCount);

        /// <summary>Per-key state, 24 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        private struct State : IPackedKeyState
        {
            public double Median;
            public double Mad;
            public int Count;

            public static int DoubleFields => 2;
        }
    }
}
