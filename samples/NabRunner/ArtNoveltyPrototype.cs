using SmartCity.Streams.Operators.Anomaly;

namespace NabRunner;

/// <summary>PROTOTYPE (experiment, not shipped): fuzzy-ART novelty of the recent window's shape and level.</summary>
public sealed class ArtNoveltyPrototype : AnomalyDetector
{
    private readonly int _w = Env("ART_W", 8);
    private readonly int _down = Env("ART_DOWN", 1);
    private readonly double _rho = EnvD("ART_RHO", 0.9);
    private readonly double _beta = EnvD("ART_BETA", 0.1);
    private readonly int _maxCats = Env("ART_CATS", 256);
    private readonly int _warm = Env("ART_WARM", 150);
    private readonly double _gain = EnvD("ART_GAIN", 10);
    private readonly int _mode = Env("ART_MODE", 1);
    private readonly int _mask = Env("ART_MASK", 0);
    private readonly Dictionary<int, KeyState> _state = [];

    public override string Name => "art";

    private static int Env(string n, int d) => int.TryParse(Environment.GetEnvironmentVariable(n), out var v) ? v : d;

    private static double EnvD(string n, double d) => double.TryParse(Environment.GetEnvironmentVariable(n), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : d;

    private sealed class KeyState(int w)
    {
        public double Min = double.PositiveInfinity;
        public double Max = double.NegativeInfinity;
        public readonly double[] Raw = new double[w];
        public int Count;
        public int MaskedUntil;
        public double Acc;
        public int AccN;
        public readonly List<double[]> Cats = [];
        public readonly List<int> Uses = [];
    }

    protected override void ScoreCore(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> scores)
    {
        var input = new double[2 * _w];
        for (int i = 0; i < keys.Length; i++)
        {
            if (!_state.TryGetValue(keys[i], out var s))
            {
                _state[keys[i]] = s = new KeyState(_w);
            }

            double x = values[i];
            scores[i] = 0;
            if (!double.IsFinite(x))
            {
                continue;
            }

            s.Acc += x;
            s.AccN++;
            if (s.AccN < _down)
            {
                continue;
            }

            x = s.Acc / s.AccN;
            s.Acc = 0;
            s.AccN = 0;
            s.Min = Math.Min(s.Min, x);
            s.Max = Math.Max(s.Max, x);
            s.Raw[s.Count % _w] = x;
            s.Count++;
            if (s.Count < _w)
            {
                continue;
            }

            double span = s.Max - s.Min;
            if (span <= 0)
            {
                continue;
            }

            for (int j = 0; j < _w; j++)
            {
                double f = (s.Raw[(s.Count + j) % _w] - s.Min) / span;
                input[j] = f;
                input[_w + j] = 1 - f;
            }

            int best = -1;
            double bestChoice = -1, bestMatch = 0;
            for (int c = 0; c < s.Cats.Count; c++)
            {
                double[] wgt = s.Cats[c];
                double inter = 0, norm = 0;
                for (int j = 0; j < input.Length; j++)
                {
                    inter += Math.Min(input[j], wgt[j]);
                    norm += wgt[j];
                }

                double match = inter / _w;
                double choice = inter / (0.001 + norm);
                if (match >= _rho && choice > bestChoice)
                {
                    bestChoice = choice;
                    best = c;
                }

                bestMatch = Math.Max(bestMatch, match);
            }

            double novelty = 1 - bestMatch;
            if (best >= 0)
            {
                double[] wgt = s.Cats[best];
                for (int j = 0; j < input.Length; j++)
                {
                    wgt[j] = (_beta * Math.Min(input[j], wgt[j])) + ((1 - _beta) * wgt[j]);
                }

                s.Uses[best]++;
            }
            else if (s.Cats.Count < _maxCats)
            {
                s.Cats.Add((double[])input.Clone());
                s.Uses.Add(1);
            }
            else
            {
                int least = 0;
                for (int c = 1; c < s.Uses.Count; c++)
                {
                    if (s.Uses[c] < s.Uses[least])
                    {
                        least = c;
                    }
                }

                s.Cats[least] = (double[])input.Clone();
                s.Uses[least] = 1;
            }

            if (_mode == 1 && best >= 0)
            {
                novelty = 0;
            }

            if (s.Count > _warm && s.Count >= s.MaskedUntil && novelty > 0)
            {
                double z = novelty * _gain;
                scores[i] = z / (1 + z);
                s.MaskedUntil = s.Count + _mask;
            }
        }
    }

    protected override void Resize(int keyCount)
    {
    }

    protected override void ResetState() => _state.Clear();

    protected override void WriteState(BinaryWriter writer, int keyCount) => throw new NotSupportedException();

    protected override void ReadState(BinaryReader reader, int keyCount) => throw new NotSupportedException();
}

/// <summary>PROTOTYPE: the ensemble's score damped where the ART prototype finds the recent window familiar.</summary>
public sealed class ArtGatedEnsemblePrototype : AnomalyDetector
{
    private EnsembleDetector _ensemble = new();
    private ArtNoveltyPrototype _art = new();
    private readonly double _n0 = double.TryParse(Environment.GetEnvironmentVariable("GATE_N0"), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0.2;
    private double[] _novelty = [];

    public override string Name => "art-gated";

    protected override void ScoreCore(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> scores)
    {
        if (_novelty.Length < keys.Length)
        {
            _novelty = new double[keys.Length];
        }

        _ensemble.Score(keys, timesMicros, values, scores);
        Span<double> novelty = _novelty.AsSpan(0, keys.Length);
        _art.Score(keys, timesMicros, values, novelty);
        for (int i = 0; i < keys.Length; i++)
        {
            // novelty score z/(1+z) with z = gain * (1 - match); invert to the raw mismatch.
            double s = novelty[i];
            double mismatch = s / (1 - s) / 10;
            double gate = Math.Min(1, mismatch / _n0);
            scores[i] *= gate;
        }
    }

    protected override void Resize(int keyCount)
    {
    }

    protected override void ResetState()
    {
        _ensemble = new();
        _art = new();
    }

    protected override void WriteState(BinaryWriter writer, int keyCount) => throw new NotSupportedException();

    protected override void ReadState(BinaryReader reader, int keyCount) => throw new NotSupportedException();
}
