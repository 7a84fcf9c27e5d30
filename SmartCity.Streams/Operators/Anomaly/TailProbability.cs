using System.Runtime.CompilerServices;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>Gaussian tail probabilities in log space, so that extreme deviations stay distinguishable instead of underflowing.</summary>
internal static class TailProbability
{
    private const double Ln10 = 2.302585092994046;
    private const double InvSqrt2 = 0.7071067811865476;

    /// <summary>-log10 P(Z &gt; z) for a standard normal Z; 0.30103 at z = 0, about 5 at z = 4.26, finite for any finite z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NegLog10UpperTail(double z)
    {
        // Cap so that z*z stays finite; beyond this the ranking is still monotone.
        z = Math.Min(z, 1e150);
        double x = Math.Abs(z) * InvSqrt2;
        double lnErfc = LnErfc(x);
        if (z >= 0)
        {
            // Q(z) = erfc(x) / 2
            return -(lnErfc - 0.6931471805599453) / Ln10;
        }

        // Q(z) = 1 - erfc(x) / 2, close to 1: -log10 of it is small and positive.
        double q = 1.0 - (0.5 * Math.Exp(lnErfc));
        return -Math.Log(q) / Ln10;
    }

    /// <summary>ln erfc(x) for x &gt;= 0 by the Chebyshev fit of Numerical Recipes (relative error below 1.2e-7),
    /// written in log form so it never underflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LnErfc(double x)
    {
        double t = 1.0 / (1.0 + (0.5 * x));
        double poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806 +
            (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        return Math.Log(t) - (x * x) + poly;
    }

    /// <summary>Maps a -log10 tail probability L to a score in [0, 1) that never reaches 1 for finite input:
    /// L / (L + 5), i.e. 0.5 at a tail probability of 1e-5, with L compressed logarithmically beyond 20 so that even
    /// astronomically small probabilities keep ranking instead of tying at 1.0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToScore(double negLog10Tail)
    {
        if (!(negLog10Tail > 0))
        {
            return 0;
        }

        double l = negLog10Tail <= Knee ? negLog10Tail : Knee + (Knee * Math.Log(1.0 + ((negLog10Tail - Knee) / Knee)));
        return l / (l + Half);
    }

    private const double Knee = 20;
    private const double Half = 5;
}
