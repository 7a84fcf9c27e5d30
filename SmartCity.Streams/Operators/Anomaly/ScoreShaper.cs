namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>Turns -log10 tail probabilities into scores in [0, 1) and applies the per-key alarm cooldown.</summary>
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
    private double[] _peak = [];
    private int[] _age = [];

    public ScoreShaper(CalibrationOptions options)
    {
        _floor = options.AlarmScore;
        _cooldownRows = options.CooldownRows;
        _factor = options.CooldownFactor;
    }

    public void Resize(int keyCount)
    {
        if (keyCount > _peak.Length)
        {
            int cap = StateArrays.NextCapacity(_peak.Length, keyCount);
            StateArrays.Grow(ref _peak, cap, 0.0);
            StateArrays.Grow(ref _age, cap, 0);
        }
    }

    public void Reset()
    {
        _peak.AsSpan().Clear();
        _age.AsSpan().Clear();
    }

    /// <summary>In place: tail values become scores; rows with a missing value do not touch the cooldown.</summary>
    public void Shape(ReadOnlySpan<int> keys, ReadOnlySpan<double> values, Span<double> tails)
    {
        double[] peak = _peak;
        int[] age = _age;
        for (int i = 0; i < keys.Length; i++)
        {
            double s = TailProbability.ToScore(tails[i]);
            if (_cooldownRows > 0 && double.IsFinite(values[i]))
            {
                int k = keys[i];
                int a = age[k];
                if (a < _cooldownRows && s <= peak[k])
                {
                    s *= _factor;
                    age[k] = a + 1;
                }
                else if (s >= _floor)
                {
                    peak[k] = s;
                    age[k] = 0;
                }
                else if (a < _cooldownRows)
                {
                    age[k] = a + 1;
                }
            }

            tails[i] = s;
        }
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        StateArrays.Write(writer, _peak, keyCount);
        StateArrays.Write(writer, _age, keyCount);
    }

    public void Read(BinaryReader reader, int keyCount)
    {
        StateArrays.Read(reader, _peak, keyCount);
        StateArrays.Read(reader, _age, keyCount);
    }
}
