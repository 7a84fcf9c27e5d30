using System.Runtime.CompilerServices;

namespace SmartCity.Streams.Internal;

/// <summary>
/// Stable, seedless hashes. Lane assignment, partition subjects and event ids must not change between
/// processes or runs, so <see cref="string.GetHashCode()"/> (randomised per process) is never used.
/// </summary>
internal static class Hashing
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong x)
    {
        // SplitMix64 finaliser: cheap and spreads consecutive sensor ids over all lanes.
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Combine(ulong seed, ulong value) => Mix(seed ^ (value + 0x9E3779B97F4A7C15UL + (seed << 6) + (seed >> 2)));

    public static ulong Utf8(ReadOnlySpan<byte> bytes)
    {
        // FNV-1a then a final mix: keys are short ids, so simplicity wins over a vectorised hash.
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return Mix(hash);
    }

    public static ulong String(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        // Hash the UTF-8 bytes so a string id hashes the same whether it arrives as .NET text or as Arrow bytes.
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var length = System.Text.Encoding.UTF8.GetBytes(text, buffer);
        return Utf8(buffer[..length]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Lane(ulong keyHash, int laneCount) => (int)((uint)(keyHash >> 32) % (uint)laneCount);
}
