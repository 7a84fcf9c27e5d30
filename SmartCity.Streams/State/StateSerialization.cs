using System.Runtime.InteropServices;

namespace SmartCity.Streams.State;

/// <summary>
/// Helpers for operator snapshots: flat per-key arrays are written as length-prefixed raw bytes
/// (little-endian, as on every platform .NET runs on), so a snapshot is one memory copy per array.
/// </summary>
public static class StateSerialization
{
    /// <summary>Writes an array of unmanaged values with its length.</summary>
    public static void WriteArray<T>(this BinaryWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads an array written by <see cref="WriteArray{T}"/>.</summary>
    /// <exception cref="InvalidDataException">The stream ends early or the length is negative.</exception>
    public static T[] ReadArray<T>(this BinaryReader reader)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadArrayOfLength<T>(reader, reader.ReadInt32());
    }

    /// <summary>Reads the values of an array written by <see cref="WriteArray{T}"/> whose length was already read.</summary>
    internal static T[] ReadArrayOfLength<T>(BinaryReader reader, int length)
        where T : unmanaged
    {
        if (length < 0)
        {
            throw new InvalidDataException($"A saved array has negative length {length}; the state is corrupt.");
        }

        var values = new T[length];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        var read = 0;
        while (read < bytes.Length)
        {
            var n = reader.Read(bytes[read..]);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        if (read != bytes.Length)
        {
            throw new InvalidDataException($"A saved array of {length} {typeof(T).Name} values ends after {read} of {bytes.Length} bytes; the state is truncated.");
        }

        return values;
    }
}
