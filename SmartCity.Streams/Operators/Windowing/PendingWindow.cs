namespace SmartCity.Streams.Operators.Windowing;

/// <summary>A (window, key) pair queued for an update or early result; sorted to emit each once, in window order.</summary>
internal readonly record struct PendingWindow(long Window, int Key) : IComparable<PendingWindow>
{
    public int CompareTo(PendingWindow other)
    {
        var c = Window.CompareTo(other.Window);
        return c != 0 ? c : Key.CompareTo(other.Key);
    }
}
