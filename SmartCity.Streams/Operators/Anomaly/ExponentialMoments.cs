using System.Runtime.CompilerServices;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// The exponentially weighted mean and variance update shared by the EWMA model and the anomaly likelihood, so both keep
/// exactly the same arithmetic (the variance form (1 - a)(v + a d²) stays non-negative without a clamp).
/// </summary>
internal static class ExponentialMoments
{
    /// <summary>Folds <paramref name="x"/> with weight <paramref name="a"/> into the moments read as <paramref name="m"/>, <paramref name="v"/>, <paramref name="n"/>; the count saturates at <see cref="int.MaxValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fold(ref double mean, ref double variance, ref int count, double m, double v, int n, double a, double x)
    {
        double d = x - m;
        mean = m + (a * d);
        variance = (1 - a) * (v + (a * d * d));
        count = n + (n == int.MaxValue ? 0 : 1);
    }
}
