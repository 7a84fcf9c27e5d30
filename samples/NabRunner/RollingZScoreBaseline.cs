using SmartCity.Streams.Operators.Anomaly;

namespace NabRunner;

/// <summary>
/// Reference point, not a product detector: |z| of each value against the mean and standard deviation of the previous
/// 200 values, squashed to [0, 1). The dataset README quotes about 30 (standard profile) for it on the full NAB corpus.
/// Single key only, allocation-free but O(1) via running sums.
/// </summary>
public sealed class RollingZScoreBaseline : AnomalyDetector
{
    private const int Window = 200;
    private readonly Dictionary<int, (double[] Ring, int Count, double Sum, double SumSq)> _state = [];

    public override string Name => "rolling-zscore";

    protected override void ScoreCore(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> scores)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            if (!_state.TryGetValue(keys[i], out var s))
            {
                s = (new double[Window], 0, 0, 0);
            }

            double x = values[i];
            if (!double.IsFinite(x))
            {
                scores[i] = 0;
                continue;
            }

            int n = Math.Min(s.Count, Window);
            double score = 0;
            if (n >= 2)
            {
                double mean = s.Sum / n;
                double var = Math.Max(0, (s.SumSq / n) - (mean * mean));
                double z = Math.Abs(x - mean) / (Math.Sqrt(var) + 1e-9);
                score = z / (z + 3);
            }

            scores[i] = score;
            int slot = s.Count % Window;
            if (s.Count >= Window)
            {
                double old = s.Ring[slot];
                s.Sum -= old;
                s.SumSq -= old * old;
            }

            s.Ring[slot] = x;
            s.Sum += x;
            s.SumSq += x * x;
            s.Count++;
            _state[keys[i]] = s;
        }
    }

    protected override void Resize(int keyCount)
    {
    }

    protected override void ResetState() => _state.Clear();

    protected override void WriteState(BinaryWriter writer, int keyCount) => throw new NotSupportedException();

    protected override void ReadState(BinaryReader reader, int keyCount) => throw new NotSupportedException();
}
