using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SmartCity.Streams.Internal;

/// <summary>Vectorised reductions used on every batch by the engine itself.</summary>
internal static class SpanMath
{
    /// <summary>Largest value, or <see cref="long.MinValue"/> for an empty span.</summary>
    public static long Max(ReadOnlySpan<long> values)
    {
        var i = 0;
        var max = long.MinValue;
        if (Vector256.IsHardwareAccelerated && values.Length >= 4 * Vector256<long>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(values);
            var m0 = Vector256.Create(long.MinValue);
            var m1 = m0;
            var step = 2 * Vector256<long>.Count;
            for (; i + step <= values.Length; i += step)
            {
                m0 = Vector256.Max(m0, Vector256.LoadUnsafe(ref start, (nuint)i));
                m1 = Vector256.Max(m1, Vector256.LoadUnsafe(ref start, (nuint)(i + Vector256<long>.Count)));
            }

            var m = Vector256.Max(m0, m1);
            for (var lane = 0; lane < Vector256<long>.Count; lane++)
            {
                max = Math.Max(max, m[lane]);
            }
        }

        for (; i < values.Length; i++)
        {
            max = Math.Max(max, values[i]);
        }

        return max;
    }
}
