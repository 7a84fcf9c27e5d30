using System.Runtime.CompilerServices;
using SmartCity.Streams.Batches;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// Session windows per sensor: rows closer than the gap belong to one session [first, last + gap). A sensor
/// may have several open sessions when rows arrive out of order; they are kept in a per-key list (newest
/// first) and merged when a row bridges them.
/// </summary>
/// <remarks>
/// The newest session of each sensor is the fast path: an in-order row extends it with three comparisons.
/// Closing is driven by two timer heaps (fire at the session end, release after the allowed lateness);
/// timers are re-armed lazily when a session grew, so extending a session costs nothing per row.
/// </remarks>
internal sealed class SessionWindowInstance : WindowInstance
{
    private readonly long _gap;
    private readonly TimerHeap _fire = new();
    private readonly TimerHeap _purge = new();
    private int[] _newest = [];
    private int[] _key = [];
    private long[] _start = [];
    private long[] _last = [];
    private int[] _older = [];
    private long[] _firedEnd = [];
    private int[] _generation = [];
    private byte[] _emitted = [];
    private byte[] _dirtyFlag = [];
    private int[] _forward = [];
    private int[] _merged = new int[16];
    private int _mergedCount;
    private TimerHeap.Timer[] _dirty = new TimerHeap.Timer[16];
    private int _dirtyCount;

    public SessionWindowInstance(OperatorContext context, WindowOperator definition)
        : base(context, definition) => _gap = definition.Spec.Gap;

    protected override void EnsureKeys(int keys) => Grow(ref _newest, keys, -1);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override long Assign(StreamBatch batch, Span<int> slots)
    {
        var keys = batch.Keys;
        var times = batch.Times[..keys.Length];
        slots = slots[..keys.Length];
        var newest = _newest;
        var gap = _gap;
        var watermark = Watermark;
        var early = EarlyEvery;
        var rows = Store.Rows;
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var t = times[i];
            var slot = newest[key];
            if (slot >= 0 && t >= _start[slot] && t < _last[slot] + gap && _last[slot] + gap > watermark)
            {
                if (t > _last[slot])
                {
                    _last[slot] = t;
                }
            }
            else
            {
                slot = Resolve(key, t, i);
                rows = Store.Rows;
                if (slot < 0)
                {
                    slots[i] = -1;
                    continue;
                }
            }

            slots[i] = slot;
            var count = ++rows[slot];
            if (early > 0 && count % early == 0)
            {
                MarkDirty(slot);
            }
        }

        if (_mergedCount > 0)
        {
            Redirect(slots);
        }

        return -1;
    }

    /// <summary>
    /// Sessions merged during pass 1 still own rows assigned before the merge: point those rows at the
    /// surviving session, then release the merged slots (only now, so none was reused within the batch).
    /// </summary>
    private void Redirect(Span<int> slots)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (slot >= 0)
            {
                while (_forward[slot] >= 0)
                {
                    slot = _forward[slot];
                }

                slots[i] = slot;
            }
        }

        for (var m = 0; m < _mergedCount; m++)
        {
            _forward[_merged[m]] = -1;
            Store.Release(_merged[m]);
        }

        _mergedCount = 0;
    }

    protected override void AfterBatch()
    {
        for (var d = 0; d < _dirtyCount; d++)
        {
            var entry = _dirty[d];
            var slot = entry.Slot;
            if (_generation[slot] != entry.Generation || _dirtyFlag[slot] == 0)
            {
                continue;
            }

            _dirtyFlag[slot] = 0;
            var end = _last[slot] + _gap;
            if (end <= Watermark)
            {
                Append(_key[slot], _start[slot], end, slot, isUpdate: true);
                _emitted[slot] = 1;
                _firedEnd[slot] = end;
                _purge.Push(end, slot, _generation[slot]);
            }
            else if (_emitted[slot] != 0 || EarlyEvery > 0)
            {
                Append(_key[slot], _start[slot], end, slot, _emitted[slot] != 0);
                _emitted[slot] = 1;
            }
        }

        _dirtyCount = 0;
    }

    protected override void Advance()
    {
        while (_fire.Count > 0 && _fire.Peek.Time <= Watermark)
        {
            var timer = _fire.Pop();
            var slot = timer.Slot;
            if (_generation[slot] != timer.Generation)
            {
                continue;
            }

            var end = _last[slot] + _gap;
            if (end > timer.Time)
            {
                _fire.Push(end, slot, timer.Generation);
                continue;
            }

            if (_firedEnd[slot] == end)
            {
                continue;
            }

            Append(_key[slot], _start[slot], end, slot, _emitted[slot] != 0);
            _emitted[slot] = 1;
            _firedEnd[slot] = end;
            _purge.Push(end, slot, timer.Generation);
        }

        while (_purge.Count > 0 && _purge.Peek.Time <= PurgeBefore)
        {
            var timer = _purge.Pop();
            var slot = timer.Slot;
            if (_generation[slot] != timer.Generation)
            {
                continue;
            }

            var end = _last[slot] + _gap;
            if (end > timer.Time)
            {
                _purge.Push(end, slot, timer.Generation);
                continue;
            }

            Unlink(slot);
            Release(slot);
        }
    }

    /// <summary>
    /// Visits every open session (O(sensors + sessions) per pass, not per row) and reports those that have
    /// not fired and grew since their last result.
    /// </summary>
    protected override void EmitEarly()
    {
        for (var key = 0; key < _newest.Length; key++)
        {
            for (var slot = _newest[key]; slot >= 0; slot = _older[slot])
            {
                var end = _last[slot] + _gap;
                if (end > Watermark && ChangedSinceReport(slot))
                {
                    Append(key, _start[slot], end, slot, _emitted[slot] != 0);
                    _emitted[slot] = 1;
                }
            }
        }
    }

    protected override void Complete()
    {
        for (var key = 0; key < _newest.Length; key++)
        {
            for (var slot = _newest[key]; slot >= 0; slot = _older[slot])
            {
                var end = _last[slot] + _gap;
                if (_firedEnd[slot] != end)
                {
                    Append(key, _start[slot], end, slot, _emitted[slot] != 0);
                    _emitted[slot] = 1;
                    _firedEnd[slot] = end;
                }
            }
        }
    }

    protected override void WriteWindows(BinaryWriter writer)
    {
        writer.WriteArray<int>(_newest);
        writer.WriteArray<int>(_key);
        writer.WriteArray<long>(_start);
        writer.WriteArray<long>(_last);
        writer.WriteArray<int>(_older);
        writer.WriteArray<long>(_firedEnd);
        writer.WriteArray<int>(_generation);
        writer.WriteArray<byte>(_emitted);
        _fire.Write(writer);
        _purge.Write(writer);
    }

    protected override void ReadWindows(BinaryReader reader)
    {
        _newest = reader.ReadArray<int>();
        _key = reader.ReadArray<int>();
        _start = reader.ReadArray<long>();
        _last = reader.ReadArray<long>();
        _older = reader.ReadArray<int>();
        _firedEnd = reader.ReadArray<long>();
        _generation = reader.ReadArray<int>();
        _emitted = reader.ReadArray<byte>();
        _dirtyFlag = new byte[_emitted.Length];
        _forward = new int[_emitted.Length];
        _forward.AsSpan().Fill(-1);
        _fire.Read(reader);
        _purge.Read(reader);
        EnsureSlots();
    }

    /// <summary>The slow path: a row that does not extend its sensor's newest open session.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Resolve(int key, long t, int row)
    {
        if (t is < -TimeLimit or > TimeLimit)
        {
            AddRejected();
            return -1;
        }

        var target = -1;
        var touchedFired = false;
        for (var slot = _newest[key]; slot >= 0;)
        {
            var older = _older[slot];
            if (t > _start[slot] - _gap && t < _last[slot] + _gap)
            {
                touchedFired |= _emitted[slot] != 0 || _last[slot] + _gap <= Watermark;
                if (target < 0)
                {
                    target = slot;
                }
                else
                {
                    // The row bridges two sessions: fold the other one into the target.
                    Store.Merge(target, slot);
                    _start[target] = Math.Min(_start[target], _start[slot]);
                    _last[target] = Math.Max(_last[target], _last[slot]);
                    if (_emitted[slot] != 0)
                    {
                        _emitted[target] = 1;
                    }

                    if (_dirtyFlag[slot] != 0)
                    {
                        _dirtyFlag[slot] = 0;
                        MarkDirty(target);
                    }

                    Unlink(slot);
                    _generation[slot]++;
                    _dirtyFlag[slot] = 0;
                    _forward[slot] = target;
                    if (_mergedCount == _merged.Length)
                    {
                        Array.Resize(ref _merged, _mergedCount * 2);
                    }

                    _merged[_mergedCount++] = slot;
                }
            }
            else if (_last[slot] + _gap <= t)
            {
                // Sessions are sorted newest first: every older one ends even earlier.
                break;
            }

            slot = older;
        }

        if (target < 0)
        {
            if (t + _gap <= PurgeBefore)
            {
                AddLate(row);
                return -1;
            }

            target = Create(key, t);
            if (t + _gap <= Watermark)
            {
                MarkDirty(target);
            }
            else
            {
                _fire.Push(t + _gap, target, _generation[target]);
            }

            return target;
        }

        var oldEnd = _last[target] + _gap;
        if (t < _start[target])
        {
            _start[target] = t;
            Relink(target);
        }

        if (t > _last[target])
        {
            _last[target] = t;
        }

        var end = _last[target] + _gap;
        if (touchedFired)
        {
            MarkDirty(target);
            if (end > Watermark && end != oldEnd)
            {
                _fire.Push(end, target, _generation[target]);
            }
        }

        return target;
    }

    private int Create(int key, long t)
    {
        var slot = Store.Rent();
        EnsureSlots();
        _key[slot] = key;
        _start[slot] = t;
        _last[slot] = t;
        _firedEnd[slot] = long.MinValue;
        _emitted[slot] = 0;
        _dirtyFlag[slot] = 0;
        _older[slot] = -1;
        Link(slot);
        return slot;
    }

    /// <summary>Inserts a session into its key's list, kept sorted by start, newest first.</summary>
    private void Link(int slot)
    {
        var key = _key[slot];
        var start = _start[slot];
        var previous = -1;
        var current = _newest[key];
        while (current >= 0 && _start[current] > start)
        {
            previous = current;
            current = _older[current];
        }

        _older[slot] = current;
        if (previous < 0)
        {
            _newest[key] = slot;
        }
        else
        {
            _older[previous] = slot;
        }
    }

    private void Unlink(int slot)
    {
        var key = _key[slot];
        var previous = -1;
        var current = _newest[key];
        while (current >= 0 && current != slot)
        {
            previous = current;
            current = _older[current];
        }

        if (current < 0)
        {
            return;
        }

        if (previous < 0)
        {
            _newest[key] = _older[slot];
        }
        else
        {
            _older[previous] = _older[slot];
        }
    }

    private void Relink(int slot)
    {
        Unlink(slot);
        Link(slot);
    }

    private void Release(int slot)
    {
        _generation[slot]++;
        _dirtyFlag[slot] = 0;
        Store.Release(slot);
    }

    private void MarkDirty(int slot)
    {
        if (_dirtyFlag[slot] != 0)
        {
            return;
        }

        _dirtyFlag[slot] = 1;
        if (_dirtyCount == _dirty.Length)
        {
            Array.Resize(ref _dirty, _dirty.Length * 2);
        }

        _dirty[_dirtyCount++] = new TimerHeap.Timer(0, slot, _generation[slot]);
    }

    private void EnsureSlots()
    {
        var capacity = Store.Capacity;
        if (_key.Length >= capacity)
        {
            return;
        }

        Array.Resize(ref _key, capacity);
        Array.Resize(ref _start, capacity);
        Array.Resize(ref _last, capacity);
        Array.Resize(ref _older, capacity);
        Array.Resize(ref _firedEnd, capacity);
        Array.Resize(ref _generation, capacity);
        Array.Resize(ref _emitted, capacity);
        Array.Resize(ref _dirtyFlag, capacity);
        Grow(ref _forward, capacity, -1);
    }
}
