using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// Partial aggregate of one measure in one window slot. Every field merges exactly or stably (Chan et al.
/// for mean and M2), so panes and sessions combine into the same result as aggregating the union of rows.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MeasureState
{
    public long Count;
    public double Sum;
    public double Mean;
    public double M2;
    public double Min;
    public double Max;
    public long FirstTime;
    public double First;
    public long LastTime;
    public double Last;
    public int Sketch;

    public void Reset(int sketch)
    {
        Count = 0;
        Sum = 0;
        Mean = 0;
        M2 = 0;
        Min = double.PositiveInfinity;
        Max = double.NegativeInfinity;
        FirstTime = long.MaxValue;
        First = double.NaN;
        LastTime = long.MinValue;
        Last = double.NaN;
        Sketch = sketch;
    }

    /// <summary>Welford's update of mean and M2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddMoments(double x)
    {
        // Count has already been incremented by the caller.
        var delta = x - Mean;
        Mean += delta / Count;
        M2 += delta * (x - Mean);
    }

    /// <summary>Chan's parallel combination of (count, mean, M2), then the order-free fields.</summary>
    public void Merge(in MeasureState other)
    {
        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            Mean = other.Mean;
            M2 = other.M2;
        }
        else
        {
            var n = Count + other.Count;
            var delta = other.Mean - Mean;
            Mean += delta * other.Count / n;
            M2 += other.M2 + (delta * delta * Count * other.Count / n);
        }

        Count += other.Count;
        Sum += other.Sum;
        if (other.Min < Min)
        {
            Min = other.Min;
        }

        if (other.Max > Max)
        {
            Max = other.Max;
        }

        if (other.FirstTime < FirstTime)
        {
            FirstTime = other.FirstTime;
            First = other.First;
        }

        if (other.LastTime >= LastTime)
        {
            LastTime = other.LastTime;
            Last = other.Last;
        }
    }
}
