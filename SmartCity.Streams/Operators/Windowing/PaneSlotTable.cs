using System.Numerics;
using System.Runtime.CompilerServices;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// Open-addressed map (sensor key, pane index) → slot, linear probing with backward-shift deletion (no
/// tombstones), so lookups stay short however many panes come and go.
/// </summary>
internal sealed class PaneSlotTable
{
    private int[] _keys;
    private long[] _panes;
    private int[] _slots;
    private int _mask;

    public PaneSlotTable(int capacity = 64)
    {
        capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity));
        _keys = new int[capacity];
        _panes = new long[capacity];
        _slots = new int[capacity];
        _slots.AsSpan().Fill(-1);
        _mask = capacity - 1;
    }

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(int key, long pane)
    {
        var i = Home(key, pane);
        while (true)
        {
            var slot = _slots[i];
            if (slot < 0)
            {
                return -1;
            }

            if (_keys[i] == key && _panes[i] == pane)
            {
                return slot;
            }

            i = (i + 1) & _mask;
        }
    }

    public void Add(int key, long pane, int slot)
    {
        if ((Count + 1) * 2 > _slots.Length)
        {
            Resize(_slots.Length * 2);
        }

        Place(key, pane, slot);
        Count++;
    }

    public void Remove(int key, long pane)
    {
        var i = Home(key, pane);
        while (true)
        {
            if (_slots[i] < 0)
            {
                return;
            }

            if (_keys[i] == key && _panes[i] == pane)
            {
                break;
            }

            i = (i + 1) & _mask;
        }

        // Backward shift: move later entries of the cluster into the hole when their home allows it.
        var hole = i;
        var j = i;
        while (true)
        {
            j = (j + 1) & _mask;
            if (_slots[j] < 0)
            {
                break;
            }

            var home = Home(_keys[j], _panes[j]);
            var distanceToHole = (j - hole) & _mask;
            var distanceToHome = (j - home) & _mask;
            if (distanceToHome >= distanceToHole)
            {
                _keys[hole] = _keys[j];
                _panes[hole] = _panes[j];
                _slots[hole] = _slots[j];
                hole = j;
            }
        }

        _slots[hole] = -1;
        Count--;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Count);
        writer.WriteArray<int>(_keys);
        writer.WriteArray<long>(_panes);
        writer.WriteArray<int>(_slots);
    }

    public void Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var keys = reader.ReadArray<int>();
        var panes = reader.ReadArray<long>();
        var slots = reader.ReadArray<int>();
        if (keys.Length != panes.Length || keys.Length != slots.Length || !BitOperations.IsPow2(keys.Length))
        {
            throw new InvalidDataException("The window's pane table is corrupt.");
        }

        _keys = keys;
        _panes = panes;
        _slots = slots;
        _mask = keys.Length - 1;
        Count = count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(int key, long pane)
    {
        var h = ((ulong)pane * 0x9E3779B97F4A7C15UL) ^ ((uint)key * 0xC2B2AE3D27D4EB4FUL);
        h ^= h >> 29;
        return (int)h & _mask;
    }

    private void Place(int key, long pane, int slot)
    {
        var i = Home(key, pane);
        while (_slots[i] >= 0)
        {
            i = (i + 1) & _mask;
        }

        _keys[i] = key;
        _panes[i] = pane;
        _slots[i] = slot;
    }

    private void Resize(int capacity)
    {
        var keys = _keys;
        var panes = _panes;
        var slots = _slots;
        _keys = new int[capacity];
        _panes = new long[capacity];
        _slots = new int[capacity];
        _slots.AsSpan().Fill(-1);
        _mask = capacity - 1;
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i] >= 0)
            {
                Place(keys[i], panes[i], slots[i]);
            }
        }
    }
}
