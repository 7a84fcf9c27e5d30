using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        private readonly long _settled;
        private State[] _state = [];

        public Kernel(double alpha)
        {
            if (!(alpha > 0 && alpha < 1))
            {
                ThrowHelper.ArgumentOutOfRange(nameof(alpha), "alpha must be in (0, 1).");
            }

            _alpha = alpha;
            _settled = StateArrays.WeightThreshold(alpha, 1);
        }

        public string Name => "ewma";

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

        public bool SpreadFromVariance => true;

        public void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise) =>
            Run(keys, values, surprise, default, default, split: false);

        public void SurpriseParts(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> deviation, Span<double> spread, Span<double> level) =>
            Run(keys, values, deviation, spread, level, split: true);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Run(ReadOnlySpan<int> keys, ReadOnlySpan<double> values, Span<double> surprise, Span<double> spread, Span<double> level, bool split)
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
            ref double levelOut = ref MemoryMarshal.GetReference(level);
            Debug.Assert(!split || (spread.Length >= len && level.Length >= len));
            double alpha = _alpha;
            long settled = _settled;
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
                if (n == 0)
                {
                    // First reading: it sets the mean and scores 0. Kept off the straight-line path below so that the
                    // steady state runs without selects (the JIT turns a double select into a branch and a jump).
                    Unsafe.Add(ref output, i) = 0;
                    if (split)
                    {
                        Unsafe.Add(ref spreadOut, i) = 0;
                        Unsafe.Add(ref levelOut, i) = 0;
                    }

                    st.Mean = x;
                    st.Var = 0;
                    st.Count = 1;
                    continue;
                }

                double m = st.Mean;
                double v = st.Var;
                double dev = Math.Abs(x - m);
                if (split)
                {
                    // The calibration takes sqrt(v) + 1e-3 |m| + 1e-9 vectorised.
                    Unsafe.Add(ref output, i) = dev;
                    Unsafe.Add(ref spreadOut, i) = v;
                    Unsafe.Add(ref levelOut, i) = m;
                }
                else
                {
                    Unsafe.Add(ref output, i) = dev / (Math.Sqrt(v) + (1e-3 * Math.Abs(m)) + 1e-9);
                }
                // max(alpha, 1/(n+1)) without a division once the weight has settled.
                double a = n >= settled ? alpha : 1.0 / (n + 1);
                ExponentialMoments.Fold(ref st.Mean, ref st.Var, ref st.Count, m, v, n, a, x);
            }
        }

        public void Write(BinaryWriter writer, int keyCount) => StateArrays.WriteColumns(writer, _state, keyCount);

        public void Read(BinaryReader reader, int keyCount) => StateArrays.ReadColumns(reader, _state, keyCount);

        /// <summary>Per-key state, 24 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        private struct State : IPackedKeyState
        {
            public double Mean;
            public double Var;
            public int Count;

            public static int DoubleFields => 2;
        }
    }
}
