using System.Runtime.CompilerServices;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Online anomaly likelihood per key: how improbable the recent raw surprise is under the running distribution
/// of that key's own past surprise. The result is a -log10 tail probability, comparable across sensors and detectors.
/// </summary>
/// <remarks>The row is judged against the distribution before it is added, so a single extreme row is not diluted
/// by itself. Missing input (NaN) yields 0 and leaves the state unchanged.</remarks>
internal sealed class AnomalyLikelihood
{
    private readonly double _longAlpha;
    private readonly int _longWindow;
    private readonly double _shortAlpha;
    private readonly int _warmUp;
    private readonly double _scale;
    private int[] _count = [];
    private double[] _mean = [];
    private double[] _var = [];
    private double[] _short = [];

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
        if (keyCount <= _count.Length)
        {
            return;
        }

        int cap = StateArrays.NextCapacity(_count.Length, keyCount);
        StateArrays.Grow(ref _count, cap, 0);
        StateArrays.Grow(ref _mean, cap, 0.0);
        StateArrays.Grow(ref _var, cap, 0.0);
        StateArrays.Grow(ref _short, cap, 0.0);
    }

    public void Reset()
    {
        _count.AsSpan().Clear();
        _mean.AsSpan().Clear();
        _var.AsSpan().Clear();
        _short.AsSpan().Clear();
    }

    /// <summary>Replaces each raw surprise (&gt;= 0 or NaN) in <paramref name="values"/> by its -log10 tail probability.</summary>
    public void Calibrate(ReadOnlySpan<int> keys, Span<double> values)
    {
        int[] count = _count;
        double[] mean = _mean;
        double[] var = _var;
        double[] shortMean = _short;
        for (int i = 0; i < keys.Length; i++)
        {
            int k = keys[i];
            double r = values[i];
            if (double.IsNaN(r))
            {
                values[i] = 0;
                continue;
            }

            r = Math.Min(r, 1e100);
            if (_scale > 0)
            {
                r /= r + _scale;
            }

            int n = count[k];
            if (n == 0)
            {
                count[k] = 1;
                mean[k] = r;
                var[k] = 0;
                shortMean[k] = r;
                values[i] = 0;
                continue;
            }

            double s = shortMean[k] + (_shortAlpha * (r - shortMean[k]));
            shortMean[k] = s;
            double m = mean[k];
            double v = var[k];
            values[i] = n < _warmUp ? 0 : Likelihood(s, m, v);

            // Same as max(1/LongWindow, 1/(n+1)) without a division once the window is full.
            double a = n + 1 >= _longWindow ? _longAlpha : 1.0 / (n + 1);
            double d = r - m;
            mean[k] = m + (a * d);
            var[k] = (1 - a) * (v + (a * d * d));
            if (n < int.MaxValue)
            {
                count[k] = n + 1;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Likelihood(double s, double m, double v)
    {
        // The floor keeps a constant history (zero spread) from dividing by zero while still flagging any change.
        double sd = Math.Sqrt(v) + (1e-3 * Math.Abs(m)) + 1e-9;
        double z = (s - m) / sd;
        // Surprise at or below its usual level is no evidence at all; skipping the tail keeps the common case cheap.
        return z <= 0 ? 0 : TailProbability.NegLog10UpperTail(z);
    }

    public void Write(BinaryWriter writer, int keyCount)
    {
        StateArrays.Write(writer, _count, keyCount);
        StateArrays.Write(writer, _mean, keyCount);
        StateArrays.Write(writer, _var, keyCount);
        StateArrays.Write(writer, _short, keyCount);
    }

    public void Read(BinaryReader reader, int keyCount)
    {
        StateArrays.Read(reader, _count, keyCount);
        StateArrays.Read(reader, _mean, keyCount);
        StateArrays.Read(reader, _var, keyCount);
        StateArrays.Read(reader, _short, keyCount);
    }
}
