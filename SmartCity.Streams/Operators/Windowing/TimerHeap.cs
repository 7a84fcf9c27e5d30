using System.Runtime.InteropServices;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// A binary min-heap of (time, slot, generation) timers in one array. Entries are never removed in place:
/// a timer whose slot was released (generation changed) or whose session grew is skipped or re-armed when
/// it reaches the top, which keeps the per-row path free of heap work.
/// </summary>
internal sealed class TimerHeap
{
    private Timer[] _items = new Timer[16];

    public int Count { get; private set; }

    public Timer Peek => _items[0];

    public void Push(long time, int slot, int generation)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, Count * 2);
        }

        var i = Count++;
        var item = new Timer(time, slot, generation);
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (_items[parent].Time <= time)
            {
                break;
            }

            _items[i] = _items[parent];
            i = parent;
        }

        _items[i] = item;
    }

    public Timer Pop()
    {
        var top = _items[0];
        var last = _items[--Count];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && _items[child + 1].Time < _items[child].Time)
            {
                child++;
            }

            if (last.Time <= _items[child].Time)
            {
                break;
            }

            _items[i] = _items[child];
            i = child;
        }

        if (Count > 0)
        {
            _items[i] = last;
        }

        return top;
    }

    public void Write(BinaryWriter writer) => writer.WriteArray<Timer>(_items.AsSpan(0, Count));

    public void Read(BinaryReader reader)
    {
        var items = reader.ReadArray<Timer>();
        _items = new Timer[Math.Max(16, items.Length)];
        items.CopyTo(_items, 0);
        Count = items.Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal readonly record struct Timer(long Time, int Slot, int Generation);
}
