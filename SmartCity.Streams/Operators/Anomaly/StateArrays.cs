using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>Growth and serialisation of the flat per-key arrays that every detector keeps.</summary>
internal static class StateArrays
{
    /// <summary>Capacity after growth: doubling keeps the number of reallocations logarithmic in the key count.</summary>
    public static int NextCapacity(int current, int required)
    {
        int next = Math.Max(current, 16);
        while (next < required)
        {
            next = next > int.MaxValue / 2 ? int.MaxValue : next * 2;
        }

        return next;
    }

    /// <summary>The smallest count n &gt;= 0 from which 1.0 / (n + <paramref name="offset"/>) &lt;= <paramref name="alpha"/>,
    /// so that <c>Math.Max(alpha, 1.0 / (n + offset))</c> is <c>n &gt;= threshold ? alpha : 1.0 / (n + offset)</c>
    /// exactly (correctly rounded division is monotone), without a division once the weight has settled.</summary>
    public static long WeightThreshold(double alpha, int offset)
    {
        long n = Math.Max(0L, (long)Math.Min(Math.Ceiling(1.0 / alpha), 1e15) - offset - 2);
        while (n > 0 && 1.0 / (n - 1 + offset) <= alpha)
        {
            n--;
        }

        while (!(1.0 / (n + offset) <= alpha))
        {
            n++;
        }

        return n;
    }

    /// <summary>Grows <paramref name="array"/> to <paramref name="length"/> and fills the new tail with <paramref name="fill"/>.</summary>
    public static void Grow<T>(ref T[] array, int length, T fill)
    {
        int old = array.Length;
        if (old >= length)
        {
            return;
        }

        Array.Resize(ref array, length);
        array.AsSpan(old).Fill(fill);
    }

    public static void Write(BinaryWriter writer, double[] array, int count)
    {
        for (int i = 0; i < count; i++)
        {
            writer.Write(array[i]);
        }
    }

    public static void Write(BinaryWriter writer, long[] array, int count)
    {
        for (int i = 0; i < count; i++)
        {
            writer.Write(array[i]);
        }
    }

    public static void Write(BinaryWriter writer, int[] array, int count)
    {
        for (int i = 0; i < count; i++)
        {
            writer.Write(array[i]);
        }
    }

    public static void Read(BinaryReader reader, double[] array, int count)
    {
        for (int i = 0; i < count; i++)
        {
            array[i] = reader.ReadDouble();
        }
    }

    public static void Read(BinaryReader reader, long[] array, int count)
    {
        for (int i = 0; i < count; i++)
        {
            array[i] = reader.ReadInt64();
        }
    }

    public static void Read(BinaryReader reader, int[] array, int count)
    {
        for (int i = 0; i < count; i++)
        {
            array[i] = reader.ReadInt32();
        }
    }

    /// <summary>Writes the first <paramref name="count"/> packed states column by column: every count, then each double field in turn.</summary>
    public static void WriteColumns<T>(BinaryWriter writer, T[] state, int count)
        where T : struct, IPackedKeyState
    {
        CheckPacked<T>();
        for (int k = 0; k < count; k++)
        {
            writer.Write(PackedCount(ref state[k]));
        }

        for (int field = 0; field < T.DoubleFields; field++)
        {
            for (int k = 0; k < count; k++)
            {
                writer.Write(PackedField(ref state[k], field));
            }
        }
    }

    /// <summary>Reads what <see cref="WriteColumns{T}"/> wrote into the first <paramref name="count"/> states.</summary>
    public static void ReadColumns<T>(BinaryReader reader, T[] state, int count)
        where T : struct, IPackedKeyState
    {
        CheckPacked<T>();
        for (int k = 0; k < count; k++)
        {
            PackedCount(ref state[k]) = reader.ReadInt32();
        }

        for (int field = 0; field < T.DoubleFields; field++)
        {
            for (int k = 0; k < count; k++)
            {
                PackedField(ref state[k], field) = reader.ReadDouble();
            }
        }
    }

    private static ref double PackedField<T>(ref T state, int field)
        where T : struct, IPackedKeyState => ref Unsafe.Add(ref Unsafe.As<T, double>(ref state), field);

    private static ref int PackedCount<T>(ref T state)
        where T : struct, IPackedKeyState => ref Unsafe.As<double, int>(ref PackedField(ref state, T.DoubleFields));

    /// <summary>The field access above relies on the declared layout; a struct that breaks it fails loudly, not silently.</summary>
    private static void CheckPacked<T>()
        where T : struct, IPackedKeyState
    {
        if (Unsafe.SizeOf<T>() != (T.DoubleFields * sizeof(double)) + sizeof(double))
        {
            throw new InvalidOperationException($"{typeof(T)} is not {T.DoubleFields} doubles followed by an int count.");
        }
    }

    /// <summary>Largest key in the batch; a negative key is a caller bug and throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaxKey(ReadOnlySpan<int> keys)
    {
        int max = -1;
        int min = 0;
        int i = 0;
        if (keys.Length >= Vector256<int>.Count)
        {
            Vector256<int> vmax = Vector256.Create(-1);
            Vector256<int> vmin = Vector256<int>.Zero;
            for (; i <= keys.Length - Vector256<int>.Count; i += Vector256<int>.Count)
            {
                Vector256<int> k = Vector256.Create(keys[i..]);
                vmax = Vector256.Max(vmax, k);
                vmin = Vector256.Min(vmin, k);
            }

            for (int j = 0; j < Vector256<int>.Count; j++)
            {
                max = Math.Max(max, vmax[j]);
                min = Math.Min(min, vmin[j]);
            }
        }

        for (; i < keys.Length; i++)
        {
            int k = keys[i];
            max = Math.Max(max, k);
            min = Math.Min(min, k);
        }

        if (min < 0)
        {
            Internal.ThrowHelper.ArgumentOutOfRange(nameof(keys), "Keys must be dense indices 0..K-1; a negative key was found.");
        }

        return max;
    }
}
