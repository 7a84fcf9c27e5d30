using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>Applies the per-key alarm cooldown to scores in [0, 1) (see <see cref="TailProbability.ToScores"/>).</summary>
/// <remarks>
/// The cooldown holds the last peak score for <see cref="CalibrationOptions.CooldownRows"/> rows: a row scores in full
/// only when it exceeds the held peak, otherwise it is multiplied by <see cref="CalibrationOptions.CooldownFactor"/>.
/// Whatever threshold a consumer applies, a burst of high scores then crosses it once instead of on every row, and a
/// stronger anomaly inside the cooldown is still reported.
/// </remarks>
internal sealed class ScoreShaper
{
    private readonly double _floor;
    private readonly int _cooldownRows;
    private readonly double _factor;
    private Cooldown[] _state = [];

    public ScoreShaper(CalibrationOptions options)
    {
        _floor = options.AlarmScore;
        _cooldownRows = options.CooldownRows;
        _factor = options.CooldownFactor;
    }

    public void Resize(int keyCount)
    {
        if (keyCount > _state.Length)
        {
            int cap = StateArrays.NextCapacity(_state.Length, keyCount);
            StateArrays.Grow(ref _state, cap, default);
        }
    }

    public void Reset() => _state.AsSpan().Clear();

    /// <summary>In place: applies the cooldown to scores (already mapped by <see cref="TailProbability.ToScore"/>);
    /// rows with a missing value do not touch the cooldown.</summary>
    public void Shape(ReadOnlySpan<int> keys, ReadOnlySpan<double> values, Span<double> scores)
    {
        int cooldownRows = _cooldownRows;
        if (cooldownRows == 0)
        {
            return;
        }

        int len = keys.Length;
        Debug.Assert(values.Length == len && scores.Length == len);
        // Safe: AnomalyDetector.Score grew the state to the batch's largest key + 1 before scoring, and keys are >= 0.
        Debug.Assert(len == 0 || StateArrays.MaxKey(keys) < _state.Length);
        ref Cooldown state = ref MemoryMarshal.GetArrayDataReference(_state);
        ref int key = ref MemoryMarshal.GetReference(keys);
        ref double value = ref MemoryMarshal.GetReference(values);
        ref double score = ref MemoryMarshal.GetReference(scores);
        double floor = _floor;
        double factor = _factor;
        for (int i = 0; i < len; i++)
        {
            ref Cooldown st = ref Unsafe.Add(ref state, Unsafe.Add(ref key, i));
            ref double slot = ref Unsafe.Add(ref score, i);
            double s = slot;
            int a = st.Age;
            // The usual row (no cooldown running, no new peak) changes nothing, missing or not: decided before
            // looking at the value.
            if (a >= cooldownRows && s < floor)
            {
                continue;
            }

            if (!double.IsFinite(Unsafe.Add(ref value, i)))
            {
                continue;
            }

            if (a < cooldownRows && s <= st.Peak)
            {
                slot = s * factor;
                st.Age = a + 1;
            }
            else if (s >= floor)
            {
                st.Peak = s;
                st.Age = 0;
            }
            else if (a < cooldownRows)
            {
                st.Age = a + 1;
            }
        }
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        Cooldown[] state = _state;
        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(state[k].Peak);
        }

        for (int k = 0; k < keyCount; k++)
        {
            writer.Write(state[k].Age);
        }
    }

    public void Read(BinaryReader reader, int keyCount)
    {
        Cooldown[] state = _state;
        for (int k = 0; k < keyCount; k++)
        {
            state[k].Peak = reader.ReadDouble();
        }

        for (int k = 0; k < keyCount; k++)
        {
            state[k].Age = reader.ReadInt32();
        }
    }

    /// <summary>Per-key cooldown, 16 bytes.</summary>
    private struct Cooldown
    {
        public double Peak;
        public int Age;
    }
}
