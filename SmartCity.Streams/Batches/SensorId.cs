using System.Globalization;
using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Batches;

/// <summary>
/// A raw sensor id as it appeared in the input: an integer, or a string. Strings are interned by the
/// <see cref="KeyIndex"/>, so copying a <see cref="SensorId"/> never allocates.
/// </summary>
public readonly struct SensorId : IEquatable<SensorId>
{
    /// <summary>Creates an integer id.</summary>
    public SensorId(long number)
    {
        Number = number;
        Name = null;
    }

    /// <summary>Creates a string id.</summary>
    public SensorId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Number = 0;
        Name = name;
    }

    /// <summary>The integer id (0 for string ids).</summary>
    public long Number { get; }

    /// <summary>The string id, or null for integer ids.</summary>
    public string? Name { get; }

    /// <summary>True when the id is a string.</summary>
    public bool IsString => Name is not null;

    /// <summary>A hash that is the same in every process and run (used for lanes, partitions and event ids).</summary>
    public ulong StableHash => Name is null ? Hashing.Mix((ulong)Number) : Hashing.String(Name);

    /// <summary>
    /// The partition (or lane) of this sensor among <paramref name="partitions"/>: the engine's own key-hash
    /// partitioning, so a broker partitioned with it feeds lane p from partition p with no re-partitioning.
    /// </summary>
    public int PartitionOf(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return Hashing.Lane(StableHash, partitions);
    }

    /// <inheritdoc />
    public bool Equals(SensorId other) => Number == other.Number && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SensorId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)StableHash;

    /// <inheritdoc />
    public override string ToString() => Name ?? Number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Equality.</summary>
    public static bool operator ==(SensorId left, SensorId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(SensorId left, SensorId right) => !left.Equals(right);
}
