using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>In place, for a whole batch: the raw surprise r = values[i] (/ spread[i] when <paramref name="spread"/>
    /// is not empty; / (sqrt(spread[i]) + 1e-3 |level[i]| + 1e-9) when <paramref name="level"/> is not empty too) becomes the bounded surprise min(r, 1e100) / (min(r, 1e100) + <paramref name="scale"/>) (unbounded when
    /// the scale is 0); NaN stays NaN. Eight rows at a time with AVX-512, then four; the last rows go through the same
    /// vector code (padded), and every width does the same operations lane for lane, so a row's result does not depend on
    /// where it falls in a batch.</summary>
    public static void Bound(Span<double> values, ReadOnlySpan<double> spread, ReadOnlySpan<double> level, double scale)
    {
        int n = values.Length;
        bool split = !spread.IsEmpty;
        bool fromVariance = !level.IsEmpty;
        Debug.Assert(!split || spread.Length >= n);
        Debug.Assert(!fromVariance || (split && level.Length >= n));
        ref double v = ref MemoryMarshal.GetReference(values);
        ref double sp = ref MemoryMarshal.GetReference(spread);
        ref double le = ref MemoryMarshal.GetReference(level);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
            {
                Vector512<double> r = Vector512.LoadUnsafe(ref v, (nuint)i);
                if (fromVariance)
                {
                    r = Z(r, Vector512.LoadUnsafe(ref sp, (nuint)i), Vector512.LoadUnsafe(ref le, (nuint)i));
                }
                else if (split)
                {
                    r /= Vector512.LoadUnsafe(ref sp, (nuint)i);
                }

                BoundLanes(r, scale).StoreUnsafe(ref v, (nuint)i);
            }
        }

        for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            Vector256<double> r = Vector256.LoadUnsafe(ref v, (nuint)i);
            if (fromVariance)
            {
                r = Z(r, Vector256.LoadUnsafe(ref sp, (nuint)i), Vector256.LoadUnsafe(ref le, (nuint)i));
            }
            else if (split)
            {
                r /= Vector256.LoadUnsafe(ref sp, (nuint)i);
            }

            BoundLanes(r, scale).StoreUnsafe(ref v, (nuint)i);
        }

        if (i < n)
        {
            Span<double> pad = stackalloc double[Vector256<double>.Count];
            Span<double> padSpread = stackalloc double[Vector256<double>.Count];
            Span<double> padLevel = stackalloc double[Vector256<double>.Count];
            pad.Clear();
            padSpread.Fill(1);
            padLevel.Clear();
            values[i..].CopyTo(pad);
            Vector256<double> r = Vector256.Create<double>(pad);
            if (fromVariance)
            {
                spread[i..n].CopyTo(padSpread);
                level[i..n].CopyTo(padLevel);
                r = Z(r, Vector256.Create<double>(padSpread), Vector256.Create<double>(padLevel));
            }
            else if (split)
            {
                spread[i..n].CopyTo(padSpread);
                r /= Vector256.Create<double>(padSpread);
            }

            BoundLanes(r, scale).CopyTo(pad);
            pad[..(n - i)].CopyTo(values[i..]);
        }
    }

    /// <summary>In place, for a whole batch: z = values[i] / (sqrt(variance[i]) + 1e-3 |mean[i]| + 1e-9) becomes
    /// -log10 P(Z &gt; z) when z &gt; 0 and 0 otherwise (the calibration only counts surprise above its usual level),
    /// or, with <paramref name="toScores"/>, directly the score (<see cref="ToScore"/>). Same formulas as
    /// <see cref="NegLog10UpperTail"/> and <see cref="ToScore"/> (to a few ulps), eight or four rows at a time, without a
    /// data-dependent branch and padded at the end like <see cref="Bound"/>. <paramref name="variance"/> and
    /// <paramref name="mean"/> are scratch: they are overwritten.</summary>
    /// <remarks>Two passes instead of one: per row this is a chain of about 140 cycles of dependent vector operations
    /// (square root, division, logarithm with its own division, polynomial, the score's division), and the core only
    /// overlaps as many rows as its schedulers hold. Storing the erfc fit's argument t and x = z / sqrt 2 halfway halves
    /// the chain each pass waits on; the extra loads and stores are cheap. Measured 8.4 to 5.7 µs per 4096 rows.</remarks>
    public static void PositiveTails(Span<double> values, Span<double> variance, Span<double> mean, bool toScores)
    {
        int n = values.Length;
        Debug.Assert(variance.Length >= n && mean.Length >= n);
        ref double v = ref MemoryMarshal.GetReference(values);
        ref double va = ref MemoryMarshal.GetReference(variance);
        ref double me = ref MemoryMarshal.GetReference(mean);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int full = n - (n % Vector512<double>.Count);
            for (; i < full; i += Vector512<double>.Count)
            {
                (Vector512<double> t, Vector512<double> x) = TailArguments(Vector512.LoadUnsafe(ref v, (nuint)i), Vector512.LoadUnsafe(ref va, (nuint)i), Vector512.LoadUnsafe(ref me, (nuint)i));
                t.StoreUnsafe(ref va, (nuint)i);
                x.StoreUnsafe(ref me, (nuint)i);
            }

            for (int j = 0; j < full; j += Vector512<double>.Count)
            {
                Vector512<double> tail = PositiveTail(Vector512.LoadUnsafe(ref va, (nuint)j), Vector512.LoadUnsafe(ref me, (nuint)j));
                (toScores ? Score(tail) : tail).StoreUnsafe(ref v, (nuint)j);
            }
        }

        int start = i;
        int full4 = n - ((n - start) % Vector256<double>.Count);
        for (; i < full4; i += Vector256<double>.Count)
        {
            (Vector256<double> t, Vector256<double> x) = TailArguments(Vector256.LoadUnsafe(ref v, (nuint)i), Vector256.LoadUnsafe(ref va, (nuint)i), Vector256.LoadUnsafe(ref me, (nuint)i));
            t.StoreUnsafe(ref va, (nuint)i);
            x.StoreUnsafe(ref me, (nuint)i);
        }

        for (int j = start; j < full4; j += Vector256<double>.Count)
        {
            Vector256<double> tail = PositiveTail(Vector256.LoadUnsafe(ref va, (nuint)j), Vector256.LoadUnsafe(ref me, (nuint)j));
            (toScores ? Score(tail) : tail).StoreUnsafe(ref v, (nuint)j);
        }

        if (i < n)
        {
            Span<double> pad = stackalloc double[3 * Vector256<double>.Count];
            pad.Clear();
            values[i..].CopyTo(pad);
            variance[i..n].CopyTo(pad[Vector256<double>.Count..]);
            mean[i..n].CopyTo(pad[(2 * Vector256<double>.Count)..]);
            (Vector256<double> t, Vector256<double> x) = TailArguments(Vector256.Create<double>(pad), Vector256.Create<double>(pad[Vector256<double>.Count..]), Vector256.Create<double>(pad[(2 * Vector256<double>.Count)..]));
            Vector256<double> tail = PositiveTail(t, x);
            (toScores ? Score(tail) : tail).CopyTo(pad);
            pad[..(n - i)].CopyTo(values[i..]);
        }
    }

    /// <summary>In place, for a whole batch: each -log10 tail probability becomes its score (<see cref="ToScore"/>),
    /// after subtracting <paramref name="offset"/> (the ensemble's Bonferroni correction).</summary>
    public static void ToScores(Span<double> values, double offset)
    {
        ref double start = ref MemoryMarshal.GetReference(values);
        int n = values.Length;
        int i = 0;
        var off = Vector256.Create(offset);
        for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            ref double at = ref Unsafe.Add(ref start, i);
            Score(Vector256.LoadUnsafe(ref at) - off).StoreUnsafe(ref at);
        }

        if (i < n)
        {
            Span<double> pad = stackalloc double[Vector256<double>.Count];
            pad.Clear();
            values[i..].CopyTo(pad);
            Score(Vector256.Create<double>(pad) - off).CopyTo(pad);
            pad[..(n - i)].CopyTo(values[i..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> BoundLanes(Vector256<double> r, double scale)
    {
        Vector256<double> nan = ~Vector256.Equals(r, r);
        Vector256<double> capped = Vector256.Min(r, Vector256.Create(1e100));
        Vector256<double> bounded = scale > 0 ? capped / (capped + Vector256.Create(scale)) : capped;
        return Vector256.ConditionalSelect(nan, r, bounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Z(Vector256<double> deviation, Vector256<double> variance, Vector256<double> mean)
    {
        // The floor keeps a constant history (zero spread) from dividing by zero while still flagging any change.
        Vector256<double> sd = Vector256.Sqrt(variance) + (Vector256.Abs(mean) * 1e-3) + Vector256.Create(1e-9);
        return deviation / sd;
    }

    /// <summary>Natural logarithm of four positive, finite, normal doubles (no check: callers guarantee the domain),
    /// by fdlibm's algorithm (e_log.c: reduction to [sqrt(2)/2, sqrt(2)), s = f / (2 + f), degree-14 polynomial in s),
    /// within about one ulp like <see cref="Math.Log(double)"/>. Vector256.Log for doubles is not accelerated on every
    /// runtime and is slower than four scalar logs where it is not; this is a dozen vector operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> LogPositive(Vector256<double> x)
    {
        Vector256<ulong> bits = x.AsUInt64();
        Vector256<ulong> mantissa = bits & Vector256.Create(0x000F_FFFF_FFFF_FFFFUL);
        // Mantissas at or above sqrt(2) are halved (exponent + 1) so that f = m - 1 stays in [-0.29, 0.41].
        Vector256<ulong> big = Vector256.GreaterThanOrEqual(mantissa, Vector256.Create(0x0006_A09C_0000_0000UL));
        Vector256<ulong> exponent = (bits >>> 52) + (big & Vector256<ulong>.One);
        Vector256<double> m = (mantissa | Vector256.ConditionalSelect(big, Vector256.Create(0x3FE0_0000_0000_0000UL), Vector256.Create(0x3FF0_0000_0000_0000UL))).AsDouble();
        // Exponent (biased, < 2048) to double exactly: 2^52 + e as bits, minus 2^52 + 1023.
        Vector256<double> k = (exponent | Vector256.Create(0x4330_0000_0000_0000UL)).AsDouble() - Vector256.Create(4503599627371519.0);
        Vector256<double> f = m - Vector256<double>.One;
        Vector256<double> s = f / (Vector256.Create(2.0) + f);
        Vector256<double> z = s * s;
        Vector256<double> w = z * z;
        Vector256<double> t1 = w * (Vector256.Create(3.999999999940941908e-01) + (w * (Vector256.Create(2.222219843214978396e-01) + (w * 1.531383769920937332e-01))));
        Vector256<double> t2 = z * (Vector256.Create(6.666666666666735130e-01) + (w * (Vector256.Create(2.857142874366239149e-01) + (w * (Vector256.Create(1.818357216161805012e-01) + (w * 1.479819860511658591e-01))))));
        Vector256<double> r = t2 + t1;
        Vector256<double> hfsq = f * f * 0.5;
        return (k * 6.93147180369123816490e-01) - ((hfsq - ((s * (hfsq + r)) + (k * 1.90821492927058770002e-10))) - f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> T, Vector256<double> X) TailArguments(Vector256<double> deviation, Vector256<double> variance, Vector256<double> mean)
    {
        Vector256<double> sd = Vector256.Sqrt(variance) + (Vector256.Abs(mean) * 1e-3) + Vector256.Create(1e-9);
        // One division for two quotients: with n = sd + d / (2 sqrt 2), z = d / sd = d n / (sd n) and
        // t = 1 / (1 + z / (2 sqrt 2)) = sd / n = sd sd / (sd n), each within a few ulps of its own division.
        // Capped so that z = d / sd <= 1e140 / 1e-9 keeps z * z finite and no product below overflows; rows with
        // d <= 0 (or NaN) get x = 0, which the tail maps to 0.
        Vector256<double> d = Vector256.MinNative(Vector256.MaxNative(deviation, Vector256<double>.Zero), Vector256.Create(1e140));
        Vector256<double> n = Vector256.FusedMultiplyAdd(d, Vector256.Create(0.5 * InvSqrt2), sd);
        Vector256<double> inverse = Vector256<double>.One / (sd * n);
        return (sd * sd * inverse, d * n * inverse * InvSqrt2);
    }

    /// <summary>-log10 of the Gaussian upper tail at z = x sqrt 2 from the erfc fit's t = 1 / (1 + x / 2), and 0 where x &lt;= 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> PositiveTail(Vector256<double> t, Vector256<double> x)
    {
        Vector256<double> zero = Vector256<double>.Zero;
        Vector256<double> positive = Vector256.GreaterThan(x, zero);
        Vector256<double> poly = Vector256.Create(0.17087277);
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(-0.82215223));
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(1.48851587));
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(-1.13520398));
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(0.27886807));
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(-0.18628806));
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(0.09678418));
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(0.37409196));
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(1.00002368));
        poly = Vector256.FusedMultiplyAdd(t, poly, Vector256.Create(-1.26551223));
        Vector256<double> lnErfc = LogPositive(t) - (x * x) + poly;
        // Multiplying by 1/ln 10 instead of dividing by ln 10 differs by at most an ulp.
        Vector256<double> tail = (Vector256.Create(0.6931471805599453) - lnErfc) * Vector256.Create(1.0 / Ln10);
        return Vector256.ConditionalSelect(positive, tail, zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Score(Vector256<double> tail)
    {
        Vector256<double> zero = Vector256<double>.Zero;
        Vector256<double> positive = Vector256.GreaterThan(tail, zero);
        Vector256<double> knee = Vector256.Create(Knee);
        Vector256<double> l = tail;
        if (Vector256.GreaterThanAny(tail, knee))
        {
            // Rare (tail probability below 1e-20): compress logarithmically beyond the knee.
            Vector256<double> beyond = Vector256.Max(tail - knee, zero);
            Vector256<double> compressed = knee + (knee * LogPositive(Vector256<double>.One + (beyond / knee)));
            l = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(tail, knee), tail, compressed);
        }

        Vector256<double> score = l / (l + Vector256.Create(Half));
        return Vector256.ConditionalSelect(positive, score, zero);
    }

    // Vector512 twins of the functions above, lane for lane the same operations (so a row's result does not depend on
    // the width that processed it). C# cannot share the body: the generic vector interface is not public.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> BoundLanes(Vector512<double> r, double scale)
    {
        Vector512<double> nan = ~Vector512.Equals(r, r);
        Vector512<double> capped = Vector512.Min(r, Vector512.Create(1e100));
        Vector512<double> bounded = scale > 0 ? capped / (capped + Vector512.Create(scale)) : capped;
        return Vector512.ConditionalSelect(nan, r, bounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Z(Vector512<double> deviation, Vector512<double> variance, Vector512<double> mean)
    {
        Vector512<double> sd = Vector512.Sqrt(variance) + (Vector512.Abs(mean) * 1e-3) + Vector512.Create(1e-9);
        return deviation / sd;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> LogPositive(Vector512<double> x)
    {
        Vector512<ulong> bits = x.AsUInt64();
        Vector512<ulong> mantissa = bits & Vector512.Create(0x000F_FFFF_FFFF_FFFFUL);
        Vector512<ulong> big = Vector512.GreaterThanOrEqual(mantissa, Vector512.Create(0x0006_A09C_0000_0000UL));
        Vector512<ulong> exponent = (bits >>> 52) + (big & Vector512<ulong>.One);
        Vector512<double> m = (mantissa | Vector512.ConditionalSelect(big, Vector512.Create(0x3FE0_0000_0000_0000UL), Vector512.Create(0x3FF0_0000_0000_0000UL))).AsDouble();
        Vector512<double> k = (exponent | Vector512.Create(0x4330_0000_0000_0000UL)).AsDouble() - Vector512.Create(4503599627371519.0);
        Vector512<double> f = m - Vector512<double>.One;
        Vector512<double> s = f / (Vector512.Create(2.0) + f);
        Vector512<double> z = s * s;
        Vector512<double> w = z * z;
        Vector512<double> t1 = w * (Vector512.Create(3.999999999940941908e-01) + (w * (Vector512.Create(2.222219843214978396e-01) + (w * 1.531383769920937332e-01))));
        Vector512<double> t2 = z * (Vector512.Create(6.666666666666735130e-01) + (w * (Vector512.Create(2.857142874366239149e-01) + (w * (Vector512.Create(1.818357216161805012e-01) + (w * 1.479819860511658591e-01))))));
        Vector512<double> r = t2 + t1;
        Vector512<double> hfsq = f * f * 0.5;
        return (k * 6.93147180369123816490e-01) - ((hfsq - ((s * (hfsq + r)) + (k * 1.90821492927058770002e-10))) - f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double> T, Vector512<double> X) TailArguments(Vector512<double> deviation, Vector512<double> variance, Vector512<double> mean)
    {
        Vector512<double> sd = Vector512.Sqrt(variance) + (Vector512.Abs(mean) * 1e-3) + Vector512.Create(1e-9);
        // One division for two quotients: with n = sd + d / (2 sqrt 2), z = d / sd = d n / (sd n) and
        // t = 1 / (1 + z / (2 sqrt 2)) = sd / n = sd sd / (sd n), each within a few ulps of its own division.
        // Capped so that z = d / sd <= 1e140 / 1e-9 keeps z * z finite and no product below overflows; rows with
        // d <= 0 (or NaN) get x = 0, which the tail maps to 0.
        Vector512<double> d = Vector512.MinNative(Vector512.MaxNative(deviation, Vector512<double>.Zero), Vector512.Create(1e140));
        Vector512<double> n = Vector512.FusedMultiplyAdd(d, Vector512.Create(0.5 * InvSqrt2), sd);
        Vector512<double> inverse = Vector512<double>.One / (sd * n);
        return (sd * sd * inverse, d * n * inverse * InvSqrt2);
    }

    /// <summary>-log10 of the Gaussian upper tail at z = x sqrt 2 from the erfc fit's t = 1 / (1 + x / 2), and 0 where x &lt;= 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> PositiveTail(Vector512<double> t, Vector512<double> x)
    {
        Vector512<double> zero = Vector512<double>.Zero;
        Vector512<double> positive = Vector512.GreaterThan(x, zero);
        Vector512<double> poly = Vector512.Create(0.17087277);
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(-0.82215223));
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(1.48851587));
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(-1.13520398));
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(0.27886807));
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(-0.18628806));
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(0.09678418));
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(0.37409196));
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(1.00002368));
        poly = Vector512.FusedMultiplyAdd(t, poly, Vector512.Create(-1.26551223));
        Vector512<double> lnErfc = LogPositive(t) - (x * x) + poly;
        Vector512<double> tail = (Vector512.Create(0.6931471805599453) - lnErfc) * Vector512.Create(1.0 / Ln10);
        return Vector512.ConditionalSelect(positive, tail, zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Score(Vector512<double> tail)
    {
        Vector512<double> zero = Vector512<double>.Zero;
        Vector512<double> positive = Vector512.GreaterThan(tail, zero);
        Vector512<double> knee = Vector512.Create(Knee);
        Vector512<double> l = tail;
        if (Vector512.GreaterThanAny(tail, knee))
        {
            Vector512<double> beyond = Vector512.Max(tail - knee, zero);
            Vector512<double> compressed = knee + (knee * LogPositive(Vector512<double>.One + (beyond / knee)));
            l = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(tail, knee), tail, compressed);
        }

        Vector512<double> score = l / (l + Vector512.Create(Half));
        return Vector512.ConditionalSelect(positive, score, zero);
    }

    private const double Knee = 20;
    private const double Half = 5;
}
