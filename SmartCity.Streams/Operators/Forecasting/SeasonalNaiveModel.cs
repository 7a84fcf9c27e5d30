using System.Runtime.Intrinsics;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Forecasts the value observed one season (one day) earlier at the same slot; a missing slot falls back to the last
/// value. With steps under 5 minutes a slot holds several steps and keeps the latest of them.
/// </summary>
internal sealed class SeasonalNaiveModel : ForecastModel
{
    private readonly SeasonGrid _grid;
    private readonly int _season;
    private double[] _history = [];
    private double[] _last = [];
    private readonly int[] _ahead;

    public SeasonalNaiveModel(int horizon, SeasonGrid grid)
        : base(horizon)
    {
        _grid = grid;
        _season = grid.DaySlots;
        _ahead = new int[horizon];
    }

    public override void EnsureCapacity(int keys)
    {
        FlatState.Grow(ref _history, keys * _season, double.NaN);
        FlatState.Grow(ref _last, keys, double.NaN);
    }

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        int h = Horizon;
        int m = _season;
        int slot = _grid.DaySlot(step);

        // Target slots are the same for every key: once per step, not per key and horizon.
        int[] ahead = _ahead;
        for (int j = 0; j < h; j++)
        {
            ahead[j] = _grid.IsIdentity ? (slot + j + 1) % m : _grid.DaySlot(step + j + 1);
        }

        // With one slot per step and no wrap past the end of the day, the H targets are one contiguous run.
        int first = ahead[0];
        bool contiguous = _grid.IsIdentity && first + h <= m;
        double[] history = _history;
        for (int k = 0; k < keyCount; k++)
        {
            double y = values[k];
            int row = k * m;
            history[row + slot] = y;
            double last = _last[k];
            if (!double.IsNaN(y))
            {
                last = y;
                _last[k] = y;
            }

            Span<double> f = forecasts.Slice(k * h, h);
            if (contiguous)
            {
                ReadOnlySpan<double> past = history.AsSpan(row + first, h);
                int j = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var fallback = Vector256.Create(last);
                    for (; j <= h - Vector256<double>.Count; j += Vector256<double>.Count)
                    {
                        var v = Vector256.Create(past.Slice(j, Vector256<double>.Count));
                        Vector256.ConditionalSelect(Vector256.Equals(v, v), v, fallback).CopyTo(f.Slice(j, Vector256<double>.Count));
                    }
                }

                for (; j < h; j++)
                {
                    double v = past[j];
                    f[j] = double.IsNaN(v) ? last : v;
                }

                continue;
            }

            for (int j = 0; j < f.Length; j++)
            {
                double v = history[row + ahead[j]];
                f[j] = double.IsNaN(v) ? last : v;
            }
        }
    }

    public override void Write(BinaryWriter writer, int keyCount)
    {
        FlatState.Write(writer, _history, keyCount * _season);
        FlatState.Write(writer, _last, keyCount);
    }

    public override void Read(BinaryReader reader)
    {
        FlatState.Read(reader, ref _history, double.NaN);
        FlatState.Read(reader, ref _last, double.NaN);
    }
}
