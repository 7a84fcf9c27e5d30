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
/// <para>Pane slots live in an <see cref="AccumulatorStore"/>. Each sensor's live panes form a short list,
/// newest first (one or two panes for in-order data, size/pane + lateness for hopping), and every pane is
/// also linked into the group of its pane index (groups sorted by index), so firing visits only the panes
/// of the window that fires and releasing closed state visits only the oldest groups. Each sensor caches
/// its current pane's start and slot: rows in order hit the cache and touch nothing else, and a single
/// count/mean measure is folded in by the same loop.</para>
/// <para>Only panes whose windows have not fired yet are cached, so a cache hit never needs a lateness
/// check; every other row goes through <see cref="Resolve"/>, which classifies it as late, as an update of
/// a fired window, or as the first row of a new pane.</para>
/// </remarks>
internal sealed class PaneWindowInstance : WindowInstance
{
    /// <summary><see cref="PaneSlot.Emitted"/>: the pane's window (tumbling) or a window containing it (hopping) has emitted a result.</summary>
    private const byte EmittedResult = 1;

    /// <summary><see cref="PaneSlot.Emitted"/> of a hopping pane during the early pass that first reports it.</summary>
    private const byte EmittedInPass = 2;

    private readonly long _size;
    private readonly long _hop;
    private readonly long _offset;
    private readonly long _pane;
    private readonly long _panesPerWindow;
    private readonly long _panesPerHop;
    private KeyCache[] _cache = [];
    private int[] _keyHead = [];
    private long[] _mark = [];
    private PaneSlot[] _meta = [];
    private PaneGroup[] _groups = new PaneGroup[16];
    private int _groupCount;
    private long _nextWindow = long.MinValue;
    private long _firedBefore = long.MinValue;
    private int[] _dirty = new int[16];
    private int _dirtyCount;
    private PendingWindow[] _pending = new PendingWindow[16];
    private int _scratch = -1;
    private bool _mergedHadResult;

    public PaneWindowInstance(OperatorContext context, WindowOperator definition)
        : base(context, definition)
    {
        var spec = definition.Spec;
        _size = spec.Size;
        _hop = spec.Hop;
        _offset = spec.Offset;
        _pane = Gcd(_size, _hop);
        _panesPerWindow = _size / _pane;
        _panesPerHop = _hop / _pane;
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
            Grow(ref _keyHead, _cache.Length, -1);
        }
    }

    protected override long Assign(StreamBatch batch, Span<int> slots)
    {
        var ordinal = Store.SingleSimpleOrdinal;
        if (ordinal >= 0)
        {
            return AssignAndFold(batch, batch.GetDoubles(ordinal));
        }

        AssignOnly(batch, slots);
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AssignOnly(StreamBatch batch, Span<int> slots)
    {
        var keys = batch.Keys;
        var times = batch.Times[..keys.Length];
        slots = slots[..keys.Length];
        var cache = _cache;
        var rows = Store.Rows;
        var early = EarlyEvery;
        var width = _pane;
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var t = times[i];
            ref var c = ref cache[key];
            int slot;
            if ((ulong)(t - c.Start) < (ulong)width && c.Slot >= 0)
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

    /// <summary>One measure with count/sum/mean only (the common case): assign and fold in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long AssignAndFold(StreamBatch batch, ReadOnlySpan<double> values)
    {
        var keys = batch.Keys;
        var times = batch.Times[..keys.Length];
        values = values[..keys.Length];
        var cache = _cache;
        var rows = Store.Rows;
        var sums = Store.Simple;
        var early = EarlyEvery;
        var width = _pane;
        long skipped = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var t = times[i];
            ref var c = ref cache[key];
            int slot;
            if ((ulong)(t - c.Start) < (ulong)width && c.Slot >= 0)
            {
                slot = c.Slot;
            }
            else
            {
                slot = Resolve(key, t, i);
                rows = Store.Rows;
                sums = Store.Simple;
                if (slot < 0)
                {
                    continue;
                }
            }

            var count = ++rows[slot];
            var x = values[i];
            if (double.IsFinite(x))
            {
                ref var s = ref sums[slot];
                s.Count++;
                s.Sum += x;
            }
            else
            {
                skipped++;
            }

            if (early > 0 && count % early == 0)
            {
                MarkDirty(slot);
            }
        }

        return skipped;
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
            _meta[slot].Dirty = 0;
            var pane = _meta[slot].Pane;
            for (var w = FirstWindow(pane); w <= LastWindow(pane); w++)
            {
                var end = _offset + (w * _hop) + _size;
                var fired = end <= Watermark;
                if ((fired && end > PurgeBefore) || (!fired && EarlyEvery > 0))
                {
                    if (pending == _pending.Length)
                    {
                        Array.Resize(ref _pending, pending * 2);
                    }

                    _pending[pending++] = new PendingWindow(w, _meta[slot].Key);
                }
            }
        }

        _dirtyCount = 0;
        var windows = SortedDistinctPending(pending);
        for (var i = 0; i < windows.Length; i++)
        {
            var (w, key) = (windows[i].Window, windows[i].Key);
            var start = _offset + (w * _hop);
            var end = start + _size;
            if (_panesPerWindow == 1)
            {
                var slot = Find(key, w);
                Append(key, start, end, slot, _meta[slot].Emitted != 0 || end <= Watermark);
                _meta[slot].Emitted = 1;
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

    /// <summary>
    /// Visits the panes of windows not fired yet (the newest groups; O(live panes) per pass, not per row). A
    /// tumbling pane is its window. A hopping pane that changed re-emits every open window containing it, each
    /// a merge of its panes, so a pass costs (size/hop) × (size/pane) per changed pane.
    /// </summary>
    /// <remarks>
    /// Hopping windows have no state of their own, so "had an early result" lives on the panes: a pane that
    /// took part in a pass marks every window containing it that was still open, and a window's later result
    /// is an update when any of its panes carries the mark. Panes changed in this pass are marked only after
    /// the pass, so the pass's own results are not taken for earlier ones.
    /// </remarks>
    protected override void EmitEarly()
    {
        var g = 0;
        while (g < _groupCount && _offset + (LastWindow(_groups[g].Pane) * _hop) + _size <= Watermark)
        {
            g++;
        }

        var first = g;
        var pending = 0;
        for (; g < _groupCount; g++)
        {
            var pane = _groups[g].Pane;
            for (var slot = _groups[g].Head; slot >= 0; slot = _meta[slot].Next)
            {
                if (!ChangedSinceReport(slot))
                {
                    continue;
                }

                if (_panesPerWindow == 1)
                {
                    var start = _offset + (pane * _pane);
                    Append(_meta[slot].Key, start, start + _size, slot, _meta[slot].Emitted != 0);
                    _meta[slot].Emitted = EmittedResult;
                    continue;
                }

                Store.MarkReported(slot);
                if (_meta[slot].Emitted == 0)
                {
                    _meta[slot].Emitted = EmittedInPass;
                }

                for (var w = FirstWindow(pane); w <= LastWindow(pane); w++)
                {
                    if (_offset + (w * _hop) + _size <= Watermark)
                    {
                        continue;
                    }

                    if (pending == _pending.Length)
                    {
                        Array.Resize(ref _pending, pending * 2);
                    }

                    _pending[pending++] = new PendingWindow(w, _meta[slot].Key);
                }
            }
        }

        if (pending == 0)
        {
            return;
        }

        var windows = SortedDistinctPending(pending);
        for (var i = 0; i < windows.Length; i++)
        {
            var (w, key) = (windows[i].Window, windows[i].Key);
            var start = _offset + (w * _hop);
            var merged = MergeWindow(key, start);
            Append(key, start, start + _size, merged, _mergedHadResult);
        }

        for (g = first; g < _groupCount; g++)
        {
            for (var slot = _groups[g].Head; slot >= 0; slot = _meta[slot].Next)
            {
                if (_meta[slot].Emitted == EmittedInPass)
                {
                    _meta[slot].Emitted = EmittedResult;
                }
            }
        }
    }

    protected override void WriteWindows(BinaryWriter writer)
    {
        var capacity = Store.Capacity;
        writer.Write(capacity);
        writer.WriteArray<PaneSlot>(_meta.AsSpan(0, Math.Min(capacity, _meta.Length)));
        writer.WriteArray<PaneGroup>(_groups.AsSpan(0, _groupCount));
        writer.Write(_nextWindow);
        writer.Write(_firedBefore);
        writer.Write(_scratch);
        writer.WriteArray<KeyCache>(_cache);
        writer.WriteArray<long>(_mark);
        writer.WriteArray<int>(_keyHead);
    }

    protected override void ReadWindows(BinaryReader reader)
    {
        reader.ReadInt32();
        _meta = reader.ReadArray<PaneSlot>();
        var groups = reader.ReadArray<PaneGroup>();
        _groups = new PaneGroup[Math.Max(16, groups.Length)];
        groups.CopyTo(_groups, 0);
        _groupCount = groups.Length;
        _nextWindow = reader.ReadInt64();
        _firedBefore = reader.ReadInt64();
        _scratch = reader.ReadInt32();
        _cache = reader.ReadArray<KeyCache>();
        _mark = reader.ReadArray<long>();
        _keyHead = reader.ReadArray<int>();
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
        var latestEnd = _offset + (LastWindow(pane) * _hop) + _size;
        if (latestEnd <= PurgeBefore)
        {
            AddLate(row);
            return -1;
        }

        var slot = Find(key, pane);
        if (slot < 0)
        {
            slot = Create(key, pane);
        }

        var earliestEnd = _offset + (FirstWindow(pane) * _hop) + _size;
        if (earliestEnd <= Watermark)
        {
            // A window containing this pane has fired: this row is an update (within allowed lateness).
            MarkDirty(slot);
        }
        else
        {
            _cache[key] = new KeyCache(paneStart, slot);
        }

        return slot;
    }

    private int Create(int key, long pane)
    {
        var slot = Store.Rent();
        EnsureSlots();
        _meta[slot].Key = key;
        _meta[slot].Pane = pane;
        _meta[slot].Emitted = 0;
        _meta[slot].Dirty = 0;
        Link(key, slot);
        var g = FindGroup(pane);
        _meta[slot].Next = _groups[g].Head;
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
            while (g < _groupCount && LastWindow(_groups[g].Pane) < from)
            {
                g++;
            }

            if (g == _groupCount)
            {
                return;
            }

            var w = Math.Max(from, FirstWindow(_groups[g].Pane));
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
            for (var slot = _groups[g].Head; slot >= 0; slot = _meta[slot].Next)
            {
                var key = _meta[slot].Key;
                if (_cache[key].Slot == slot)
                {
                    _cache[key] = KeyCache.Empty;
                }

                if (_panesPerWindow == 1)
                {
                    Append(key, start, end, slot, _meta[slot].Emitted != 0);
                    _meta[slot].Emitted = 1;
                }
                else if (_mark[key] != w)
                {
                    _mark[key] = w;
                    var merged = MergeWindow(key, start);
                    Append(key, start, end, merged, _mergedHadResult);
                }
            }
        }
    }

    /// <summary>
    /// Merges a sensor's panes of the window starting at <paramref name="start"/> into the scratch slot; sets
    /// <see cref="_mergedHadResult"/> when one of them was part of an early result (then so was this window).
    /// </summary>
    private int MergeWindow(int key, long start)
    {
        if (_scratch < 0)
        {
            _scratch = Store.Rent();
            EnsureSlots();
        }

        Store.Reset(_scratch);
        var hadResult = false;
        var first = FloorDiv(start - _offset, _pane);
        for (var slot = _keyHead[key]; slot >= 0 && _meta[slot].Pane >= first; slot = _meta[slot].Older)
        {
            if (_meta[slot].Pane < first + _panesPerWindow)
            {
                Store.Merge(_scratch, slot);
                hadResult |= _meta[slot].Emitted == EmittedResult;
            }
        }

        _mergedHadResult = hadResult;
        return _scratch;
    }

    /// <summary>Releases the panes whose last window ended more than the allowed lateness ago.</summary>
    private void Purge()
    {
        var removed = 0;
        while (removed < _groupCount && _offset + (LastWindow(_groups[removed].Pane) * _hop) + _size <= PurgeBefore)
        {
            for (var slot = _groups[removed].Head; slot >= 0;)
            {
                var next = _meta[slot].Next;
                var key = _meta[slot].Key;
                if (_cache[key].Slot == slot)
                {
                    _cache[key] = KeyCache.Empty;
                }

                Unlink(key, slot);
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

    /// <summary>The slot of a sensor's pane: its live panes form a short list, newest first.</summary>
    private int Find(int key, long pane)
    {
        for (var slot = _keyHead[key]; slot >= 0; slot = _meta[slot].Older)
        {
            var p = _meta[slot].Pane;
            if (p == pane)
            {
                return slot;
            }

            if (p < pane)
            {
                break;
            }
        }

        return -1;
    }

    private void Link(int key, int slot)
    {
        var pane = _meta[slot].Pane;
        var newer = -1;
        var current = _keyHead[key];
        while (current >= 0 && _meta[current].Pane > pane)
        {
            newer = current;
            current = _meta[current].Older;
        }

        _meta[slot].Older = current;
        if (newer < 0)
        {
            _keyHead[key] = slot;
        }
        else
        {
            _meta[newer].Older = slot;
        }
    }

    private void Unlink(int key, int slot)
    {
        var newer = -1;
        var current = _keyHead[key];
        while (current >= 0 && current != slot)
        {
            newer = current;
            current = _meta[current].Older;
        }

        if (current < 0)
        {
            return;
        }

        if (newer < 0)
        {
            _keyHead[key] = _meta[slot].Older;
        }
        else
        {
            _meta[newer].Older = _meta[slot].Older;
        }
    }

    /// <summary>The first <paramref name="pending"/> windows in (window, key) order, each once: a pane shared by several
    /// windows of a key, or several panes of one window, put the same window in the list more than once.</summary>
    private ReadOnlySpan<PendingWindow> SortedDistinctPending(int pending)
    {
        var windows = _pending.AsSpan(0, pending);
        windows.Sort();
        var distinct = Math.Min(1, windows.Length);
        for (var i = 1; i < windows.Length; i++)
        {
            if (!windows[i].Equals(windows[distinct - 1]))
            {
                windows[distinct++] = windows[i];
            }
        }

        return windows[..distinct];
    }

    private void MarkDirty(int slot)
    {
        if (_meta[slot].Dirty != 0)
        {
            return;
        }

        _meta[slot].Dirty = 1;
        if (_dirtyCount == _dirty.Length)
        {
            Array.Resize(ref _dirty, _dirty.Length * 2);
        }

        _dirty[_dirtyCount++] = slot;
    }

    /// <summary>Index of the first window containing pane <paramref name="pane"/>: windows start every hop/pane panes and span size/pane panes.</summary>
    private long FirstWindow(long pane) => (_panesPerHop == 1 ? pane - _panesPerWindow : FloorDiv(pane - _panesPerWindow, _panesPerHop)) + 1;

    /// <summary>Index of the last window containing pane <paramref name="pane"/>.</summary>
    private long LastWindow(long pane) => _panesPerHop == 1 ? pane : FloorDiv(pane, _panesPerHop);

    private void EnsureSlots()
    {
        var capacity = Store.Capacity;
        if (_meta.Length < capacity)
        {
            Array.Resize(ref _meta, capacity);
        }
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
    private readonly record struct KeyCache(long Start, int Slot)
    {
        public static readonly KeyCache Empty = new(long.MaxValue, -1);
    }

    [StructLayout(LayoutKind.Sequential)]
    private record struct PaneGroup(long Pane, int Head);

    /// <summary>Everything the operator keeps per pane slot, in one record so a pane costs one cache line.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PaneSlot
    {
        public long Pane;
        public int Key;
        public int Next;
        public int Older;
        public byte Emitted;
        public byte Dirty;
    }
}
