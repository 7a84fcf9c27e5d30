namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>Turns -log10 tail probabilities into scores in [0, 1) and applies the per-key alarm cooldown.</summary>
internal sealed class ScoreShaper
{
    private readonly double _alarm;
    private readonly int _cooldownRows;
    private readonly double _factor;
    private int[] _cooldown = [];

    public ScoreShaper(CalibrationOptions options)
    {
        _alarm = options.AlarmScore;
        _cooldownRows = options.CooldownRows;
        _factor = options.CooldownFactor;
    }

    public void Resize(int keyCount)
    {
        if (keyCount > _cooldown.Length)
        {
            StateArrays.Grow(ref _cooldown, StateArrays.NextCapacity(_cooldown.Length, keyCount), 0);
        }
    }

    public void Reset() => _cooldown.AsSpan().Clear();

    /// <summary>In place: tail values become scores; rows with a missing value do not touch the cooldown.</summary>
    public void Shape(ReadOnlySpan<int> keys, ReadOnlySpan<double> values, Span<double> tails)
    {
        int[] cooldown = _cooldown;
        for (int i = 0; i < keys.Length; i++)
        {
            double s = TailProbability.ToScore(tails[i]);
            if (_cooldownRows > 0 && double.IsFinite(values[i]))
            {
                int k = keys[i];
                int c = cooldown[k];
                if (c > 0)
                {
                    s *= _factor;
                    cooldown[k] = c - 1;
                }
                else if (s >= _alarm)
                {
                    cooldown[k] = _cooldownRows;
                }
            }

            tails[i] = s;
        }
    }

    public void Write(BinaryWriter writer, int keyCount) => StateArrays.Write(writer, _cooldown, keyCount);

    public void Read(BinaryReader reader, int keyCount) => StateArrays.Read(reader, _cooldown, keyCount);
}
