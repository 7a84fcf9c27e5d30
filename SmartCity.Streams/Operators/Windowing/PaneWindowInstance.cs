using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SmartCity.Streams.Batches;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// Tumbling and hopping windows from panes. Time is cut into panes of gcd(size, hop); a row updates exactly
/// one pane of its sensor (O(1) per row whatever the overlap) and a window is the merge of its size/pane
/// panes when it fires. A tumbling window is one pane.
/// </summary>
/// <remarks>
/// <para>Pane slots live in an <see cref="AccumulatorStore"/>, found through a (key, pane) hash table, and
/// are linked into groups by pane index (sorted), so firing visits only the panes of the window that fires
/// and releasing closed state visits only the oldest groups. Each sensor caches its current pane's time
/// range and slot: rows in order hit the cache and touch nothing else.</para>
/// <para>Only panes whose windows have not fired yet are cached, so a cache hit never needs a lateness
/// check; every other row goes through <see cref="Resolve"/>, which classifies it as late, as an update of
/// a fired window, or as the first row of a new pane.</para>
/// </remarks>
internal sealed class PaneWindowInstance : WindowInstance
{
    private readonly long _size;
    private readonly long _hop;
    private readonly long _offset;
    private readonly long _pane;
    private readonly long _panesPerWindow;
    private readonly PaneSlotTable _table = new();
    private KeyCache[] _cache = [];
    private long[] _mark = [];
    private int[] _slotKey = [];
    private long[] _slotPane = [];
    private int[] _slotNext = [];
    private byte[] _slotEmitted = [];
    private byte[] _slotDirty = [];
    private PaneGroup[] _groups = new PaneGroup[16];
    private int _groupCount;
    private long _nextWindow = long.MinValue;
    private long _firedBefore = long.MinValue;
    private int[] _dirty = new int[16];
    private int _dirtyCount;
    private PendingWindow[] _pending = new PendingWindow[16];
    private int _scratch = -1;

    public PaneWindowInstance(OperatorContext context, WindowOperator definition)
        : base(context, definition)
    {
        var spec = definition.Spec;
        _size = spec.Size;
        _hop = spec.Hop;
        _offset = spec.Offset;
        _pane = Gcd(_size, _hop);
        _panesPerWindow = _size / _pane;
    }

    internal int LiveGroups => _groupCount;

    protected override void EnsureKeys(int keys)
    {
        if (_cache.Length < keys)
        {
            var old = _cache.Length;
            Array.Resize(ref _cache, Math.Max(keys, old * 2));
            _cache.AsSpan(old).Fill(KeyCache.Empty);
            Grow(ref _mark, _cache.Length, long.MinValue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Assign(StreamBatch batch, Span<int> slots)
    {
        var keys = batch.Keys;
        var times = batch.Times[..keys.Length];
        slots = slots[..keys.Length];
        var cache = _cache;
        var rows = Store.Rows;
        var early = EarlyEvery;
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var t = times[i];
            ref var c = ref cache[key];
            int slot;
            if (t >= c.Start && t < c.End)
            {
                slot = c.Slot;
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
    }

    protected override void AfterBatch()
    {
        if (_dirtyCount == 0)
        {
            return;
        }

        var pending = 0;
        for (var d = 0; d < _dirtyCount; d++)
        {
            var slot = _dirty[d];
            _slotDirty[slot] = 0;
            var paneStart = _offset + (_slotPane[slot] * _pane);
            for (var w = FirstWindow(paneStart); w <= LastWindow(paneStart); w++)
            {
                var end = _offset + (w * _hop) + _size;
                var fired = end <= Watermark;
                if ((fired && end > PurgeBefore) || (!fired && EarlyEvery > 0))
                {
                    if (pending == _pending.Length)
                    {
                        Array.Resize(ref _pending, pending * 2);
                    }

                    _pending[pending++] = new PendingWindow(w, _slotKey[slot]);
                }
            }
        }

        _dirtyCount = 0;
        var windows = _pending.AsSpan(0, pending);
        windows.Sort();
        for (var i = 0; i < windows.Length; i++)
        {
            if (i > 0 && windows[i].Equals(windows[i - 1]))
            {
                continue;
            }

            var (w, key) = (windows[i].Window, windows[i].Key);
            var start = _offset + (w * _hop);
            var end = start + _size;
            if (_panesPerWindow == 1)
            {
                var slot = _table.Find(key, w);
                Append(key, start, end, slot, _slotEmitted[slot] != 0 || end <= Watermark);
                _slotEmitted[slot] = 1;
            }
            else
            {
                Append(key, start, end, MergeWindow(key, start), isUpdate: true);
            }
        }
    }

    protected override void Advance()
    {
        Fire(Watermark);
        Purge();
        _firedBefore = Watermark;
    }

    protected override void Complete() => Fire(long.MaxValue);

    protected override void WriteWindows(BinaryWriter writer)
    {
        var capacity = Store.Capacity;
        writer.Write(capacity);
        writer.WriteArray<int>(_slotKey.AsSpan(0, Math.Min(capacity, _slotKey.Length)));
        writer.WriteArray<long>(_slotPane.AsSpan(0, Math.Min(capacity, _slotPane.Length)));
        writer.WriteArray<int>(_slotNext.AsSpan(0, Math.Min(capacity, _slotNext.Length)));
        writer.WriteArray<byte>(_slotEmitted.AsSpan(0, Math.Min(capacity, _slotEmitted.Length)));
        writer.WriteArray<PaneGroup>(_groups.AsSpan(0, _groupCount));
        writer.Write(_nextWindow);
        writer.Write(_firedBefore);
        writer.Write(_scratch);
        writer.WriteArray<KeyCache>(_cache);
        writer.WriteArray<long>(_mark);
        _table.Write(writer);
    }

    protected override void ReadWindows(BinaryReader reader)
    {
        reader.ReadInt32();
        _slotKey = reader.ReadArray<int>();
        _slotPane = reader.ReadArray<long>();
        _slotNext = reader.ReadArray<int>();
        _slotEmitted = reader.ReadArray<byte>();
        _slotDirty = new byte[_slotEmitted.Length];
        var groups = reader.ReadArray<PaneGroup>();
        _groups = new PaneGroup[Math.Max(16, groups.Length)];
        groups.CopyTo(_groups, 0);
        _groupCount = groups.Length;
        _nextWindow = reader.ReadInt64();
        _firedBefore = reader.ReadInt64();
        _scratch = reader.ReadInt32();
        _cache = reader.ReadArray<KeyCache>();
        _mark = reader.ReadArray<long>();
        _table.Read(reader);
        EnsureSlots();
    }

    /// <summary>The slow path of a row: late, update of a fired window, or a pane not cached yet.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Resolve(int key, long t, int row)
    {
        if (t is < -TimeLimit or > TimeLimit)
        {
            AddRejected();
            return -1;
        }

        var pane = FloorDiv(t - _offset, _pane);
        var paneStart = _offset + (pane * _pane);
        var latestEnd = _offset + (LastWindow(paneStart) * _hop) + _size;
        if (latestEnd <= PurgeBefore)
        {
            AddLate(row);
            return -1;
        }

        var slot = _table.Find(key, pane);
        if (slot < 0)
        {
            slot = Create(key, pane);
        }

        var earliestEnd = _offset + (FirstWindow(paneStart) * _hop) + _size;
        if (earliestEnd <= Watermark)
        {
            // A window containing this pane has fired: this row is an update (within allowed lateness).
            MarkDirty(slot);
        }
        else
        {
            _cache[key] = new KeyCache(paneStart, paneStart + _pane, slot);
        }

        return slot;
    }

    private int Create(int key, long pane)
    {
        var slot = Store.Rent();
        EnsureSlots();
        _slotKey[slot] = key;
        _slotPane[slot] = pane;
        _slotEmitted[slot] = 0;
        _slotDirty[slot] = 0;
        _table.Add(key, pane, slot);
        var g = FindGroup(pane);
        _slotNext[slot] = _groups[g].Head;
        _groups[g].Head = slot;
        return slot;
    }

    private int FindGroup(long pane)
    {
        if (_groupCount > 0 && _groups[_groupCount - 1].Pane == pane)
        {
            return _groupCount - 1;
        }

        int lo = 0, hi = _groupCount;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_groups[mid].Pane < pane)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (lo < _groupCount && _groups[lo].Pane == pane)
        {
            return lo;
        }

        if (_groupCount == _groups.Length)
        {
            Array.Resize(ref _groups, _groups.Length * 2);
        }

        Array.Copy(_groups, lo, _groups, lo + 1, _groupCount - lo);
        _groups[lo] = new PaneGroup(pane, -1);
        _groupCount++;
        return lo;
    }

    /// <summary>Fires, in order, every non-empty window that ends at or before <paramref name="limit"/> and has not fired.</summary>
    private void Fire(long limit)
    {
        while (true)
        {
            // Windows that ended at or before the previous watermark had their on-time firing then (or were
            // empty): rows that reached them since were late, and went through the update path.
            var from = _nextWindow;
            if (_firedBefore != long.MinValue)
            {
                from = Math.Max(from, FloorDiv(_firedBefore - _offset - _size, _hop) + 1);
            }

            // Skip groups whose windows have all fired or closed (kept only for allowed lateness).
            var g = 0;
            while (g < _groupCount && LastWindow(PaneStart(g)) < from)
            {
                g++;
            }

            if (g == _groupCount)
            {
                return;
            }

            var w = Math.Max(from, FirstWindow(PaneStart(g)));
            var start = _offset + (w * _hop);
            var end = start + _size;
            if (end > limit)
            {
                return;
            }

            EmitWindow(w, start, end, g);
            _nextWindow = w + 1;
        }
    }

    private void EmitWindow(long w, long start, long end, int firstGroup)
    {
        var lastPane = FloorDiv(start - _offset, _pane) + _panesPerWindow - 1;
        for (var g = firstGroup; g < _groupCount && _groups[g].Pane <= lastPane; g++)
        {
            for (var slot = _groups[g].Head; slot >= 0; slot = _slotNext[slot])
            {
                var key = _slotKey[slot];
                if (_cache[key].Slot == slot)
                {
                    _cache[key] = KeyCache.Empty;
                }

                if (_panesPerWindow == 1)
                {
                    Append(key, start, end, slot, _slotEmitted[slot] != 0);
                    _slotEmitted[slot] = 1;
                }
                else if (_mark[key] != w)
                {
                    _mark[key] = w;
                    Append(key, start, end, MergeWindow(key, start), isUpdate: false);
                }
            }
        }
    }

    private int MergeWindow(int key, long start)
    {
        if (_scratch < 0)
        {
            _scratch = Store.Rent();
            EnsureSlots();
        }

        Store.Reset(_scratch);
        var first = FloorDiv(start - _offset, _pane);
        for (var p = first; p < first + _panesPerWindow; p++)
        {
            var slot = _table.Find(key, p);
            if (slot >= 0)
            {
                Store.Merge(_scratch, slot);
            }
        }

        return _scratch;
    }

    /// <summary>Releases the panes whose last window ended more than the allowed lateness ago.</summary>
    private void Purge()
    {
        var removed = 0;
        while (removed < _groupCount && _offset + (LastWindow(PaneStart(removed)) * _hop) + _size <= PurgeBefore)
        {
            var pane = _groups[removed].Pane;
            for (var slot = _groups[removed].Head; slot >= 0;)
            {
                var next = _slotNext[slot];
                var key = _slotKey[slot];
                if (_cache[key].Slot == slot)
                {
                    _cache[key] = KeyCache.Empty;
                }

                _table.Remove(key, pane);
                Store.Release(slot);
                slot = next;
            }

            removed++;
        }

        if (removed > 0)
        {
            Array.Copy(_groups, removed, _groups, 0, _groupCount - removed);
            _groupCount -= removed;
        }
    }

    private void MarkDirty(int slot)
    {
        if (_slotDirty[slot] != 0)
        {
            return;
        }

        _slotDirty[slot] = 1;
        if (_dirtyCount == _dirty.Length)
        {
            Array.Resize(ref _dirty, _dirty.Length * 2);
        }

        _dirty[_dirtyCount++] = slot;
    }

    private long PaneStart(int group) => _offset + (_groups[group].Pane * _pane);

    /// <summary>Index of the first window containing the pane starting at <paramref name="paneStart"/>.</summary>
    private long FirstWindow(long paneStart) => FloorDiv(paneStart - _offset - _size, _hop) + 1;

    /// <summary>Index of the last window containing the pane starting at <paramref name="paneStart"/>.</summary>
    private long LastWindow(long paneStart) => FloorDiv(paneStart - _offset, _hop);

    private void EnsureSlots()
    {
        var capacity = Store.Capacity;
        if (_slotKey.Length >= capacity)
        {
            return;
        }

        Array.Resize(ref _slotKey, capacity);
        Array.Resize(ref _slotPane, capacity);
        Array.Resize(ref _slotNext, capacity);
        Array.Resize(ref _slotEmitted, capacity);
        Array.Resize(ref _slotDirty, capacity);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct KeyCache(long Start, long End, int Slot)
    {
        public static readonly KeyCache Empty = new(long.MaxValue, long.MinValue, -1);
    }

    [StructLayout(LayoutKind.Sequential)]
    private record struct PaneGroup(long Pane, int Head);
}
