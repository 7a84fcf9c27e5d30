using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Per-key correction of a likelihood that is overconfident for that key (<see cref="CalibrationOptions.EvidenceBlockRows"/>):
/// the typical maximum of the key's evidence over blocks of B rows is compared with what a calibrated likelihood
/// gives over B rows, and the key's evidence is divided by the ratio when it is above one.
/// </summary>
/// <remarks>
/// <para>For a calibrated likelihood, -log10 of the tail probability of B independent rows peaks on average at
/// log10 B + γ / ln 10 (γ the Euler–Mascheroni constant). On a heavy-tailed or strongly autocorrelated series the
/// Gaussian view of the surprise is far more confident than that: a burst that recurs every day reaches 30 or more
/// every block. Such keys are discounted, calibrated keys are left alone, and the order of a key's rows within a block
/// never changes (the factor moves only at block ends).</para>
/// <para>Block maxima are capped at 10 (a tail of 1e-10) so that one genuine incident in a block cannot teach the key
/// that incidents are typical; the typical maximum starts at the calibrated value, is learnt after the key's first two
/// blocks (the likelihood is still settling there) and then follows the blocks with weight max(0.1, 1 / (blocks + 2)).
/// Missing rows (non-finite input) are skipped. State: 24 bytes per key.</para>
/// </remarks>
internal sealed class EvidenceNormaliser
{
    private const double BlockMaxCap = 10;
    private const double SettledWeight = 0.1;
    private const double PriorBlocks = 2;
    private const double EulerGammaOverLn10 = 0.5772156649015329 / 2.302585092994046;

    private readonly int _block;
    private readonly int _skip;
    private readonly double _nominal;
    private State[] _state = [];

    public EvidenceNormaliser(int blockRows)
    {
        Debug.Assert(blockRows > 0);
        _block = blockRows;
        _skip = 2 * blockRows;
        _nominal = Math.Log10(blockRows) + EulerGammaOverLn10;
    }

    public void Resize(int keyCount)
    {
        if (keyCount > _state.Length)
        {
            StateArrays.Grow(ref _state, StateArrays.NextCapacity(_state.Length, keyCount), default);
        }
    }

    public void Reset() => _state.AsSpan().Clear();

    /// <summary>In place: divides each row's -log10 evidence by its key's excess confidence, then learns from the row.</summary>
    public void Apply(ReadOnlySpan<int> keys, ReadOnlySpan<double> values, Span<double> evidence)
    {
        int len = keys.Length;
        Debug.Assert(values.Length >= len && evidence.Length >= len);
        // Safe: AnomalyDetector.Score grew the state to the batch's largest key + 1 before scoring, and keys are >= 0.
        Debug.Assert(len == 0 || StateArrays.MaxKey(keys) < _state.Length);
        ref State state = ref MemoryMarshal.GetArrayDataReference(_state);
        int block = _block;
        int skip = _skip;
        double nominal = _nominal;
        for (int i = 0; i < len; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                continue;
            }

            ref State st = ref Unsafe.Add(ref state, keys[i]);
            int n = st.Rows;
            double l = evidence[i];
            if (n >= skip + block && st.Typical > nominal)
            {
                evidence[i] = l * (nominal / st.Typical);
            }

            if (n == int.MaxValue)
            {
                continue;
            }

            st.Rows = n + 1;
            if (n < skip)
            {
                continue;
            }

            double blockMax = Math.Max(st.BlockMax, Math.Min(l, BlockMaxCap));
            int done = n - skip + 1;
            if (done % block != 0)
            {
                st.BlockMax = blockMax;
                continue;
            }

            int blocks = done / block;
            double previous = blocks == 1 ? nominal : st.Typical;
            st.Typical = previous + (Math.Max(SettledWeight, 1.0 / (blocks + PriorBlocks)) * (blockMax - previous));
            st.BlockMax = 0;
        }
    }

    public void Write(BinaryWriter writer, int keyCount) => StateArrays.WriteColumns(writer, _state, keyCount);

    public void Read(BinaryReader reader, int keyCount) => StateArrays.ReadColumns(reader, _state, keyCount);

    /// <summary>Per-key state, 24 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct State : IPackedKeyState
    {
        public double Typical;
        public double BlockMax;
        public int Rows;

        public static int DoubleFields => 2;
    }
}
