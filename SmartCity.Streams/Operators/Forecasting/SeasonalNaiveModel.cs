using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Forecasts the value observed one season (one day) earlier at the same slot; a missing slot falls back to the last
/// value. With steps under 5 minutes a slot holds several steps and keeps the latest of them.
/// </summary>
/// <remarks>
/// History is kept slot-major, [slot * capacity + key]: a step writes one contiguous row of values and reads one or H
/// rows at consecutive keys, instead of touching a separate cache line of every key's day. With one slot per step and
/// H at most a day, the slot a target reads is only written at the target's own time of day, so its forecast is the
/// same from every issue step in the horizon: the model is horizon-invariant and issues one row per step.
/// </remarks>
internal sealed class SeasonalNaiveModel : ForecastModel
{
    private readonly SeasonGrid _grid;
    private readonly int _season;
    private readonly bool _invariant;
    private int _capacity;
    private double[] _history = [];
    private double[] _last = [];
    private readonly int[] _ahead;

    public SeasonalNaiveModel(int horizon, SeasonGrid grid)
        : base(horizon)
    {
        _grid = grid;
        _season = grid.DaySlots;
        _ahead = new int[horizon];
        _invariant = grid.IsIdentity && horizon <= grid.DaySlots;
    }

    public override bool IsHorizonInvariant => _invariant;

    public override void EnsureCapacity(int keys)
    {
        if (keys <= _capacity)
        {
            return;
        }

        _history = GrowRows(_history, _season, _capacity, keys, double.NaN);
        FlatState.Grow(ref _last, keys, double.NaN);
        _capacity = keys;
    }

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        int h = Horizon;
        int cap = _capacity;

        // Target rows are the same for every key: once per step, not per key and horizon.
        int[] ahead = _ahead;
        for (int j = 0; j < h; j++)
        {
            ahead[j] = _grid.DaySlot(step + j + 1) * cap;
        }

        double[] history = _history;
        values[..keyCount].CopyTo(history.AsSpan(_grid.DaySlot(step) * cap, keyCount));
        for (int k = 0; k < keyCount; k++)
        {
            double y = values[k];
            double last = _last[k];
            if (!double.IsNaN(y))
            {
                last = y;
                _last[k] = y;
            }

            Span<double> f = forecasts.Slice(k * h, h);
            for (int j = 0; j < f.Length; j++)
            {
                double v = history[ahead[j] + k];
                f[j] = double.IsNaN(v) ? last : v;
            }
        }
    }

    public override void StepInvariant(long step, ReadOnlySpan<double> values, int keyCount, Span<double> target)
    {
        int cap = _capacity;
        double[] history = _history;
        values[..keyCount].CopyTo(history.AsSpan(_grid.DaySlot(step) * cap, keyCount));
        KeepLast(values[..keyCount], _last);

        // With H equal to a day the target slot is the one just written: write first, then read.
        history.AsSpan(_grid.DaySlot(step + Horizon) * cap, keyCount).CopyTo(target);
    }

    public override double Fallback(int key, long target) => _last[key];

    public override void Write(BinaryWriter writer, int keyCount)
    {
        WriteRows(writer, _history, _season, _capacity, keyCount);
        FlatState.Write(writer, _last, keyCount);
    }

    public override void Read(BinaryReader reader)
    {
        ReadRows(reader, _history, _season, _capacity, double.NaN);
        FlatState.Read(reader, ref _last, double.NaN);
    }

    /// <summary>last[k] = values[k] where that is a value (not NaN), four keys at a time.</summary>
    internal static void KeepLast(ReadOnlySpan<double> values, Span<double> last)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double vRef = ref MemoryMarshal.GetReference(values);
            ref double lRef = ref MemoryMarshal.GetReference(last);
            for (; k <= values.Length - Vector256<double>.Count; k += Vector256<double>.Count)
            {
                var v = Vector256.LoadUnsafe(ref vRef, (nuint)k);
                var l = Vector256.LoadUnsafe(ref lRef, (nuint)k);
                Vector256.ConditionalSelect(Vector256.Equals(v, v), v, l).StoreUnsafe(ref lRef, (nuint)k);
            }
        }

        for (; k < values.Length; k++)
        {
            double y = values[k];
            if (!double.IsNaN(y))
            {
                last[k] = y;
            }
        }
    }
}
