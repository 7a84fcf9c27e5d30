using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Online anomaly likelihood per key: how improbable the recent raw surprise is under the running distribution
/// of that key's own past surprise. The result is a -log10 tail probability, comparable across sensors and detectors.
/// </summary>
/// <remarks>The row is judged against the distribution before it is added, so a single extreme row is not diluted
/// by itself. Missing input (NaN) yields 0 and leaves the state unchanged.
/// <para>The Gaussian view alone would call a surprise that keeps recurring (a routine spike) astronomically unlikely every
/// time; <see cref="SurpriseRecurrence"/> replaces it by the observed frequency once a level of surprise has been seen
/// often enough.</para>
/// <para>The per-key state is one 32-byte struct (half a cache line) plus the recurrence counters; the snapshot writes all
/// counts, then all means, variances and short means, then the recurrence state.</para></remarks>
internal sealed class AnomalyLikelihood
{
    private readonly double _longAlpha;
    private readonly int _longWindow;
    private readonly double _shortAlpha;
    private readonly int _warmUp;
    private readonly double _scale;
    private readonly SurpriseRecurrence _recurrence;
    private State[] _state = [];
    private double[] _spread = [];
    private double[] _centre = [];

    public AnomalyLikelihood(CalibrationOptions options)
    {
        _longAlpha = 1.0 / options.LongWindow;
        _longWindow = options.LongWindow;
        _shortAlpha = 1.0 / options.ShortWindow;
        _warmUp = Math.Max(options.WarmUpRows, 2);
        _scale = options.SurpriseScale;
        _recurrence = new SurpriseRecurrence(options);
    }

    public void Resize(int keyCount)
    {
        if (keyCount <= _state.Length)
        {
            return;
        }

        int cap = StateArrays.NextCapacity(_state.Length, keyCount);
        StateArrays.Grow(ref _state, cap, default);
        _recurrence.Resize(keyCount);
    }

    public void Reset()
    {
        _state.AsSpan().Clear();
        _recurrence.Reset();
    }

    /// <summary>Scratch of the batch's length where a splitting kernel writes the spread (denominator) of its surprise.</summary>
    public Span<double> SpreadScratch(int length)
    {
        if (_spread.Length < length)
        {
            int cap = StateArrays.NextCapacity(_spread.Length, length);
            _spread = new double[cap];
            _centre = new double[cap];
        }

        return _spread.AsSpan(0, length);
    }

    /// <summary>Second scratch of the batch's length, for a kernel whose spread comes from a variance and a level.</summary>
    public Span<double> LevelScratch(int length)
    {
        SpreadScratch(length);
        return _centre.AsSpan(0, length);
    }

    /// <summary>Replaces each raw surprise (&gt;= 0 or NaN) in <paramref name="values"/> by its -log10 tail probability
    /// (<paramref name="toScores"/> false) or directly by its score before any cooldown (true). With
    /// <paramref name="split"/>, the raw surprise is <paramref name="values"/>[i] / <see cref="SpreadScratch"/>[i]; with
    /// <paramref name="fromVariance"/> as well, the divisor is sqrt(spread) + 1e-3 |level| + 1e-9 (<see cref="LevelScratch"/>).</summary>
    /// <remarks>A vector pass bounds the surprise (u = r / (r + scale)), a per-key pass updates the running statistics and
    /// writes each row's deviation from the usual level with the statistics it is judged by, and two vector passes divide
    /// that into z and map it to the Gaussian tail. Every square root and division but the kernel's own runs eight rows
    /// at a time (four without AVX-512), with the same operations in every lane whatever the width.</remarks>
    public void Calibrate(ReadOnlySpan<int> keys, Span<double> values, bool split, bool fromVariance, bool toScores)
    {
        int len = keys.Length;
        Span<double> spread = SpreadScratch(len);
        Span<double> centre = _centre.AsSpan(0, len);
        TailProbability.Bound(values, split ? spread : default, fromVariance ? centre : default, _scale);
        _recurrence.BeginBatch(len);
        Deviations(keys, values, spread, centre);
        _recurrence.ObserveExcesses(keys, values);
        TailProbability.PositiveTails(values, spread, centre, toScores);
        _recurrence.Apply(values, toScores);
    }

    /// <summary>Per-key pass: updates the running mean and variance of the bounded surprise and writes the row's
    /// deviation s - mean into <paramref name="values"/>, the variance into <paramref name="variance"/> and the mean into
    /// <paramref name="mean"/>, all before the update; a row in warm-up or missing writes zeros (z = 0, no evidence).</summary>
    private void Deviations(ReadOnlySpan<int> keys, Span<double> values, Span<double> variance, Span<double> mean)
    {
        int len = keys.Length;
        Debug.Assert(values.Length == len && variance.Length == len && mean.Length == len);
        // Safe: AnomalyDetector.Score grew the state to the batch's largest key + 1 before scoring, and keys are >= 0.
        Debug.Assert(len == 0 || StateArrays.MaxKey(keys) < _state.Length);
        ref State state = ref MemoryMarshal.GetArrayDataReference(_state);
        ref int key = ref MemoryMarshal.GetReference(keys);
        ref double value = ref MemoryMarshal.GetReference(values);
        ref double varOut = ref MemoryMarshal.GetReference(variance);
        ref double meanOut = ref MemoryMarshal.GetReference(mean);
        double longAlpha = _longAlpha;
        int longWindow = _longWindow;
        double shortAlpha = _shortAlpha;
        int warmUp = _warmUp;
        ref int seen = ref MemoryMarshal.GetReference(_recurrence.RowsSeenScratch);
        for (int i = 0; i < len; i++)
        {
            ref double slot = ref Unsafe.Add(ref value, i);
            double r = slot;
            if (double.IsNaN(r))
            {
                slot = 0;
                Unsafe.Add(ref varOut, i) = 0;
                Unsafe.Add(ref meanOut, i) = 0;
                continue;
            }

            ref State st = ref Unsafe.Add(ref state, Unsafe.Add(ref key, i));
            int n = st.Count;
            if (n == 0)
            {
                st.Count = 1;
                st.Mean = r;
                st.Var = 0;
                st.Short = r;
                slot = 0;
                Unsafe.Add(ref varOut, i) = 0;
                Unsafe.Add(ref meanOut, i) = 0;
                continue;
            }

            double s = st.Short + (shortAlpha * (r - st.Short));
            st.Short = s;
            double m = st.Mean;
            double v = st.Var;
            // One branch (taken the same way for every row once keys are warm) instead of three selects, which the
            // JIT compiles into a branch and a jump each.
            if (n >= warmUp)
            {
                slot = s - m;
                Unsafe.Add(ref varOut, i) = v;
                Unsafe.Add(ref meanOut, i) = m;
                Unsafe.Add(ref seen, i) = n;
            }
            else
            {
                slot = 0;
                Unsafe.Add(ref varOut, i) = 0;
                Unsafe.Add(ref meanOut, i) = 0;
            }

            // Same as max(1/LongWindow, 1/(n+1)) without a division once the window is full.
            double a = n + 1 >= longWindow ? longAlpha : 1.0 / (n + 1);
            ExponentialMoments.Fold(ref st.Mean, ref st.Var, ref st.Count, m, v, n, a, r);
        }
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        StateArrays.WriteColumns(writer, _state, keyCount);
        _recurrence.Write(writer, keyCount);
    }

    public void Read(BinaryReader reader, int keyCount)
    {
        StateArrays.ReadColumns(reader, _state, keyCount);
        _recurrence.Read(reader, keyCount);
    }

    /// <summary>Per-key state, 32 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct State : IPackedKeyState
    {
        public double Mean;
        public double Var;
        public double Short;
        public int Count;

        public static int DoubleFields => 3;
    }
}
