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
/// <para>Two passes per batch: a per-key pass updates the running statistics and writes each row's z (0 when the row
/// gives no evidence), then a branch-free vector pass turns z into the Gaussian tail (<see cref="TailProbability.PositiveTails"/>).
/// The per-key state is one 32-byte struct (half a cache line); the snapshot keeps the layout of version 1 (all counts,
/// then all means, variances and short means).</para></remarks>
internal sealed class AnomalyLikelihood
{
    private readonly double _longAlpha;
    private readonly int _longWindow;
    private readonly double _shortAlpha;
    private readonly int _warmUp;
    private readonly double _scale;
    private State[] _state = [];

    public AnomalyLikelihood(CalibrationOptions options)
    {
        _longAlpha = 1.0 / options.LongWindow;
        _longWindow = options.LongWindow;
        _shortAlpha = 1.0 / options.ShortWindow;
        _warmUp = Math.Max(options.WarmUpRows, 2);
        _scale = options.SurpriseScale;
    }

    public void Resize(int keyCount)
    {
        if (keyCount <= _state.Length)
        {
            return;
        }

        int cap = StateArrays.NextCapacity(_state.Length, keyCount);
        StateArrays.Grow(ref _state, cap, default);
    }

    public void Reset() => _state.AsSpan().Clear();

    /// <summary>Replaces each raw surprise (&gt;= 0 or NaN) in <paramref name="values"/> by its -log10 tail probability.</summary>
    public void Calibrate(ReadOnlySpan<int> keys, Span<double> values)
    {
        ZScores(keys, values);
        TailProbability.PositiveTails(values);
    }

    /// <summary>Replaces each raw surprise by its score (tail probability mapped by <see cref="TailProbability.ToScore"/>), before any cooldown.</summary>
    public void CalibrateToScores(ReadOnlySpan<int> keys, Span<double> values)
    {
        ZScores(keys, values);
        TailProbability.PositiveTailScores(values);
    }

    /// <summary>Per-key pass: updates the running mean and variance of the bounded surprise and writes the row's z
    /// against the distribution before the update (0 during warm-up or for a missing value).</summary>
    private void ZScores(ReadOnlySpan<int> keys, Span<double> values)
    {
        Debug.Assert(keys.Length == values.Length);
        int len = keys.Length;
        // Safe: AnomalyDetector.Score grew the state to the batch's largest key + 1 before scoring, and keys are >= 0.
        Debug.Assert(len == 0 || StateArrays.MaxKey(keys) < _state.Length);
        ref State state = ref MemoryMarshal.GetArrayDataReference(_state);
        ref int key = ref MemoryMarshal.GetReference(keys);
        ref double value = ref MemoryMarshal.GetReference(values);
        double longAlpha = _longAlpha;
        int longWindow = _longWindow;
        double shortAlpha = _shortAlpha;
        int warmUp = _warmUp;
        double scale = _scale;
        bool bounded = scale > 0;
        for (int i = 0; i < len; i++)
        {
            ref double slot = ref Unsafe.Add(ref value, i);
            double r = slot;
            if (double.IsNaN(r))
            {
                slot = 0;
                continue;
            }

            ref State st = ref Unsafe.Add(ref state, Unsafe.Add(ref key, i));
            r = Math.Min(r, 1e100);
            if (bounded)
            {
                r /= r + scale;
            }

            int n = st.Count;
            if (n == 0)
            {
                st.Count = 1;
                st.Mean = r;
                st.Var = 0;
                st.Short = r;
                slot = 0;
                continue;
            }

            double s = st.Short + (shortAlpha * (r - st.Short));
            st.Short = s;
            double m = st.Mean;
            double v = st.Var;

            // Computed without a branch on the sign (about half the rows are below their usual surprise, an
            // unpredictable branch); the floor keeps a constant history (zero spread) from dividing by zero while
            // still flagging any change. z <= 0 is no evidence: the vector pass maps it to 0.
            double sd = Math.Sqrt(v) + (1e-3 * Math.Abs(m)) + 1e-9;
            double z = (s - m) / sd;
            slot = n < warmUp ? 0 : z;

            // Same as max(1/LongWindow, 1/(n+1)) without a division once the window is full.
            double a = n + 1 >= longWindow ? longAlpha : 1.0 / (n + 1);
            double d = r - m;
            st.Mean = m + (a * d);
            st.Var = (1 - a) * (v + (a * d * d));
            if (n < int.MaxValue)
            {
                st.Count = n + 1;
            }
        }
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        State[] state = _state;
        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(state[k].Count);
        }

        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(state[k].Mean);
        }

        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(state[k].Var);
        }

        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(state[k].Short);
        }
    }

    public void Read(BinaryReader reader, int keyCount)
    {
        State[] state = _state;
        for (int k = 0; k < keyCount; k++)
        {
            state[k].Count = reader.ReadInt32();
        }

        for (int k = 0; k < keyCount; k++)
        {
            state[k].Mean = reader.ReadDouble();
        }

        for (int k = 0; k < keyCount; k++)
        {
            state[k].Var = reader.ReadDouble();
        }

        for (int k = 0; k < keyCount; k++)
        {
            state[k].Short = reader.ReadDouble();
        }
    }

    /// <summary>Per-key state, 32 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct State
    {
        public double Mean;
        public double Var;
        public double Short;
        public int Count;
    }
}
