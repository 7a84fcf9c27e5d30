using System.Runtime.CompilerServices;
using System.Text;
using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Batches;

/// <summary>
/// Maps raw sensor ids to dense indices 0..K-1 so that operators keep per-key state in flat arrays.
/// </summary>
/// <remarks>
/// <para>Each lane owns one index (no locks). Mapping a known key never allocates: small non-negative integer
/// ids (below 4,194,304) use a direct table, other integers an open-addressing hash table, strings an
/// open-addressing table over their UTF-8 bytes. Only a key seen for the first time allocates (its string,
/// or table growth).</para>
/// <para>Dense indices are assigned in order of first appearance, so they are deterministic for a given
/// input order, and they are saved and restored with operator state.</para>
/// </remarks>
public sealed class KeyIndex
{
    private const int DirectLimit = 1 << 22;

    private int[] _direct = [];        // raw value -> dense + 1, 0 = absent
    private long[] _intSlots = [];     // open addressing for other integers
    private int[] _intDense = [];      // dense + 1 per slot, 0 = empty
    private int _intCount;

    private int[] _strDense = [];      // dense + 1 per slot, 0 = empty
    private ulong[] _strHash = [];
    private int _strCount;
    private byte[] _arena = new byte[256];
    private int _arenaLength;
    private int[] _offsets = new int[16]; // per dense: start in arena (string keys only)
    private int[] _lengths = new int[16];

    private SensorId[] _sensors = new SensorId[16];

    /// <summary>Number of distinct keys seen.</summary>
    public int Count { get; private set; }

    /// <summary>The raw id of a dense index.</summary>
    public SensorId this[int dense]
    {
        get
        {
            if ((uint)dense >= (uint)Count)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(dense), $"Dense key {dense} is not assigned; the index holds {Count} keys.");
            }

            return _sensors[dense];
        }
    }

    /// <summary>Returns the dense index of an integer id, adding it when new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(long raw)
    {
        if ((ulong)raw < (ulong)_direct.Length)
        {
            var d = _direct[raw];
            if (d != 0)
            {
                return d - 1;
            }
        }

        return GetOrAddIntSlow(raw);
    }

    /// <summary>Returns the dense index of a string id, adding it when new.</summary>
    public int GetOrAdd(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        Span<byte> buffer = raw.Length <= 128 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(raw.Length)] : new byte[Encoding.UTF8.GetByteCount(raw)];
        var length = Encoding.UTF8.GetBytes(raw, buffer);
        return GetOrAdd(buffer[..length]);
    }

    /// <summary>Returns the dense index of a UTF-8 string id, adding it when new.</summary>
    public int GetOrAdd(ReadOnlySpan<byte> utf8)
    {
        var hash = Hashing.Utf8(utf8);
        if (_strDense.Length != 0)
        {
            var mask = _strDense.Length - 1;
            var slot = (int)hash & mask;
            while (true)
            {
                var d = _strDense[slot];
                if (d == 0)
                {
                    break;
                }

                if (_strHash[slot] == hash && _arena.AsSpan(_offsets[d - 1], _lengths[d - 1]).SequenceEqual(utf8))
                {
                    return d - 1;
                }

                slot = (slot + 1) & mask;
            }
        }

        return AddString(utf8, hash);
    }

    /// <summary>Looks up an integer id without adding it.</summary>
    public bool TryGet(long raw, out int dense)
    {
        if ((ulong)raw < (ulong)_direct.Length && _direct[raw] != 0)
        {
            dense = _direct[raw] - 1;
            return true;
        }

        if (_intSlots.Length != 0)
        {
            var mask = _intSlots.Length - 1;
            var slot = (int)Hashing.Mix((ulong)raw) & mask;
            while (_intDense[slot] != 0)
            {
                if (_intSlots[slot] == raw)
                {
                    dense = _intDense[slot] - 1;
                    return true;
                }

                slot = (slot + 1) & mask;
            }
        }

        dense = -1;
        return false;
    }

    /// <summary>Looks up a sensor id without adding it.</summary>
    public bool TryGet(SensorId id, out int dense)
    {
        if (!id.IsString)
        {
            return TryGet(id.Number, out dense);
        }

        for (var i = 0; i < Count; i++)
        {
            if (_sensors[i] == id)
            {
                dense = i;
                return true;
            }
        }

        dense = -1;
        return false;
    }

    /// <summary>Returns the dense index of a sensor id, adding it when new.</summary>
    public int GetOrAdd(SensorId id) => id.IsString ? GetOrAdd(id.Name!) : GetOrAdd(id.Number);

    /// <summary>Maps a span of Int32 ids.</summary>
    internal void Map(ReadOnlySpan<int> raw, Span<int> dense)
    {
        var direct = _direct;
        for (var i = 0; i < raw.Length; i++)
        {
            var r = raw[i];
            int d;
            if ((uint)r < (uint)direct.Length && (d = direct[r]) != 0)
            {
                dense[i] = d - 1;
            }
            else
            {
                dense[i] = GetOrAddIntSlow(r);
                direct = _direct;
            }
        }
    }

    /// <summary>Maps a span of UInt32 ids.</summary>
    internal void Map(ReadOnlySpan<uint> raw, Span<int> dense)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            dense[i] = GetOrAdd(raw[i]);
        }
    }

    /// <summary>Maps a span of Int64 ids.</summary>
    internal void Map(ReadOnlySpan<long> raw, Span<int> dense)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            dense[i] = GetOrAdd(raw[i]);
        }
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Count);
        for (var i = 0; i < Count; i++)
        {
            var id = _sensors[i];
            writer.Write(id.IsString);
            if (id.IsString)
            {
                writer.Write(id.Name!);
            }
            else
            {
                writer.Write(id.Number);
            }
        }
    }

    internal void Read(BinaryReader reader)
    {
        if (Count != 0)
        {
            ThrowHelper.InvalidOperation("A key index can only be restored into an empty index.");
        }

        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var dense = reader.ReadBoolean() ? GetOrAdd(reader.ReadString()) : GetOrAdd(reader.ReadInt64());
            if (dense != i)
            {
                throw new InvalidDataException($"The saved key index repeats key {_sensors[dense]} at position {i}; the state is corrupt.");
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int GetOrAddIntSlow(long raw)
    {
        if (TryGet(raw, out var existing))
        {
            return existing;
        }

        var dense = AddSensor(new SensorId(raw));
        if (raw >= 0 && raw < DirectLimit)
        {
            if (raw >= _direct.Length)
            {
                var size = Math.Max(1024, _direct.Length);
                while (size <= raw)
                {
                    size *= 2;
                }

                Array.Resize(ref _direct, Math.Min(size, DirectLimit));
            }

            _direct[raw] = dense + 1;
            return dense;
        }

        if ((_intCount + 1) * 2 > _intSlots.Length)
        {
            GrowIntTable();
        }

        InsertInt(raw, dense);
        _intCount++;
        return dense;
    }

    private void InsertInt(long raw, int dense)
    {
        var mask = _intSlots.Length - 1;
        var slot = (int)Hashing.Mix((ulong)raw) & mask;
        while (_intDense[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _intSlots[slot] = raw;
        _intDense[slot] = dense + 1;
    }

    private void GrowIntTable()
    {
        var oldSlots = _intSlots;
        var oldDense = _intDense;
        var size = Math.Max(64, oldSlots.Length * 2);
        _intSlots = new long[size];
        _intDense = new int[size];
        for (var i = 0; i < oldSlots.Length; i++)
        {
            if (oldDense[i] != 0)
            {
                InsertInt(oldSlots[i], oldDense[i] - 1);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int AddString(ReadOnlySpan<byte> utf8, ulong hash)
    {
        var dense = AddSensor(new SensorId(Encoding.UTF8.GetString(utf8)));
        if (_arenaLength + utf8.Length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaLength + utf8.Length));
        }

        utf8.CopyTo(_arena.AsSpan(_arenaLength));
        _offsets[dense] = _arenaLength;
        _lengths[dense] = utf8.Length;
        _arenaLength += utf8.Length;

        if ((_strCount + 1) * 2 > _strDense.Length)
        {
            var oldDense = _strDense;
            var oldHash = _strHash;
            var size = Math.Max(64, oldDense.Length * 2);
            _strDense = new int[size];
            _strHash = new ulong[size];
            for (var i = 0; i < oldDense.Length; i++)
            {
                if (oldDense[i] != 0)
                {
                    InsertString(oldHash[i], oldDense[i] - 1);
                }
            }
        }

        InsertString(hash, dense);
        _strCount++;
        return dense;
    }

    private void InsertString(ulong hash, int dense)
    {
        var mask = _strDense.Length - 1;
        var slot = (int)hash & mask;
        while (_strDense[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _strDense[slot] = dense + 1;
        _strHash[slot] = hash;
    }

    private int AddSensor(SensorId id)
    {
        var dense = Count;
        if (dense == _sensors.Length)
        {
            Array.Resize(ref _sensors, dense * 2);
            Array.Resize(ref _offsets, dense * 2);
            Array.Resize(ref _lengths, dense * 2);
        }

        _sensors[dense] = id;
        Count = dense + 1;
        return dense;
    }
}
