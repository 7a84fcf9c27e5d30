namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>Growth and binary snapshot helpers for the flat per-key arrays every model keeps.</summary>
internal static class FlatState
{
    public static void Grow(ref double[] array, int length, double fill)
    {
        if (array.Length >= length)
        {
            return;
        }

        int old = array.Length;
        Array.Resize(ref array, length);
        array.AsSpan(old).Fill(fill);
    }

    public static void Grow(ref long[] array, int length)
    {
        if (array.Length < length)
        {
            Array.Resize(ref array, length);
        }
    }

    public static void Write(BinaryWriter writer, double[] array, int length)
    {
        writer.Write(length);
        for (int i = 0; i < length; i++)
        {
            writer.Write(array[i]);
        }
    }

    public static void Read(BinaryReader reader, ref double[] array, double fill)
    {
        int length = reader.ReadInt32();
        if (length < 0)
        {
            throw new InvalidDataException("Negative array length in forecaster state.");
        }

        Grow(ref array, length, fill);
        for (int i = 0; i < length; i++)
        {
            array[i] = reader.ReadDouble();
        }
    }

    public static void Write(BinaryWriter writer, long[] array, int length)
    {
        writer.Write(length);
        for (int i = 0; i < length; i++)
        {
            writer.Write(array[i]);
        }
    }

    public static void Read(BinaryReader reader, ref long[] array)
    {
        int length = reader.ReadInt32();
        if (length < 0)
        {
            throw new InvalidDataException("Negative array length in forecaster state.");
        }

        Grow(ref array, length);
        for (int i = 0; i < length; i++)
        {
            array[i] = reader.ReadInt64();
        }
    }

    /// <summary>Euclidean remainder, so steps before the Unix epoch still map to slots 0..n-1.</summary>
    public static int Mod(long step, int n)
    {
        long r = step % n;
        return (int)(r < 0 ? r + n : r);
    }
}
