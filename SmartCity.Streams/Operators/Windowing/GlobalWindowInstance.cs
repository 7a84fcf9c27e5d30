using System.Runtime.CompilerServices;
using SmartCity.Streams.Batches;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// A running aggregate per sensor that never closes. Each time the watermark advances, every sensor that
/// received rows since the last emission emits its aggregate so far, from its earliest to its latest event
/// time (<c>window_end</c> = latest + 1 µs); the first emission of a sensor has <c>is_update</c> = false.
/// No row is ever late. The processing-time trigger emits the same dirty sensors between watermark advances.
/// </summary>
internal sealed class GlobalWindowInstance : WindowInstance
{
    private int[] _keySlot = [];
    private int[] _slotKey = [];
    private long[] _first = [];
    private long[] _last = [];
    private byte[] _emitted = [];
    private byte[] _dirtyFlag = [];
    private int[] _dirty = new int[16];
    private int _dirtyCount;

    public GlobalWindowInstance(OperatorContext context, WindowOperator definition)
        : base(context, definition)
    {
    }

    protected override void EnsureKeys(int keys) => Grow(ref _keySlot, keys, -1);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override long Assign(StreamBatch batch, Span<int> slots)
    {
        var keys = batch.Keys;
        var times = batch.Times[..keys.Length];
        slots = slots[..keys.Length];
        var keySlot = _keySlot;
        var rows = Store.Rows;
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var t = times[i];
            if (t is < -TimeLimit or > TimeLimit)
            {
                AddRejected();
                slots[i] = -1;
                continue;
            }

            var slot = keySlot[key];
            if (slot < 0)
            {
                slot = Create(key, t);
                rows = Store.Rows;
            }

            if (t < _first[slot])
            {
                _first[slot] = t;
            }

            if (t > _last[slot])
            {
                _last[slot] = t;
            }

            if (_dirtyFlag[slot] == 0)
            {
                MarkDirty(slot);
            }

            slots[i] = slot;
            rows[slot]++;
        }

        return -1;
    }

    protected override void AfterBatch()
    {
    }

    protected override void Advance() => EmitDirty();

    protected override void Complete() => EmitDirty();

    /// <summary>The sensors with rows since their last result are exactly the dirty list the watermark would emit.</summary>
    protected override void EmitEarly() => EmitDirty();

    protected override void WriteWindows(BinaryWriter writer)
    {
        writer.WriteArray<int>(_keySlot);
        writer.WriteArray<int>(_slotKey);
        writer.WriteArray<long>(_first);
        writer.WriteArray<long>(_last);
        writer.WriteArray<byte>(_emitted);
        writer.WriteArray<byte>(_dirtyFlag);
        writer.WriteArray<int>(_dirty.AsSpan(0, _dirtyCount));
    }

    protected override void ReadWindows(BinaryReader reader)
    {
        _keySlot = reader.ReadArray<int>();
        _slotKey = reader.ReadArray<int>();
        _first = reader.ReadArray<long>();
        _last = reader.ReadArray<long>();
        _emitted = reader.ReadArray<byte>();
        _dirtyFlag = reader.ReadArray<byte>();
        var dirty = reader.ReadArray<int>();
        _dirty = new int[Math.Max(16, dirty.Length)];
        dirty.CopyTo(_dirty, 0);
        _dirtyCount = dirty.Length;
        EnsureSlots();
    }

    private void EmitDirty()
    {
        for (var d = 0; d < _dirtyCount; d++)
        {
            var slot = _dirty[d];
            _dirtyFlag[slot] = 0;
            var key = _slotKey[slot];
            Append(key, _first[slot], _last[slot] + 1, slot, _emitted[slot] != 0);
            _emitted[slot] = 1;
        }

        _dirtyCount = 0;
    }

    private int Create(int key, long t)
    {
        var slot = Store.Rent();
        EnsureSlots();
        _keySlot[key] = slot;
        _slotKey[slot] = key;
        _first[slot] = t;
        _last[slot] = t;
        _emitted[slot] = 0;
        _dirtyFlag[slot] = 0;
        return slot;
    }

    private void MarkDirty(int slot)
    {
        _dirtyFlag[slot] = 1;
        if (_dirtyCount == _dirty.Length)
        {
            Array.Resize(ref _dirty, _dirty.Length * 2);
        }

        _dirty[_dirtyCount++] = slot;
    }

    private void EnsureSlots()
    {
        var capacity = Store.Capacity;
        if (_first.Length >= capacity)
        {
            return;
        }

        Array.Resize(ref _slotKey, capacity);
        Array.Resize(ref _first, capacity);
        Array.Resize(ref _last, capacity);
        Array.Resize(ref _emitted, capacity);
        Array.Resize(ref _dirtyFlag, capacity);
    }
}
