using SmartCity.Streams.Operators.Windowing;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>
/// A plain model of the window semantics, written for clarity: lists of rows per window, the watermark
/// advanced after each batch, rows classified against the watermark in force when their batch arrives.
/// </summary>
internal sealed class WindowReference
{
    private readonly WindowSpec _spec;
    private readonly long _bound;
    private readonly long _lateness;
    private readonly Dictionary<(long Key, long Start), List<Reading>> _windows = [];
    private readonly Dictionary<long, List<Session>> _sessions = [];
    private long _watermark = long.MinValue;
    private long _max = long.MinValue;

    public WindowReference(WindowSpec spec, long bound, long lateness)
    {
        _spec = spec;
        _bound = bound;
        _lateness = lateness;
    }

    public List<Reading> Late { get; } = [];

    public List<Session> ClosedSessions { get; } = [];

    public void Batch(List<Reading> rows)
    {
        var purgeBefore = _watermark == long.MinValue ? long.MinValue : _watermark - _lateness;
        foreach (var row in rows)
        {
            _max = Math.Max(_max, row.Time);
            switch (_spec.Kind)
            {
                case WindowKind.Session:
                    AddToSession(row, purgeBefore);
                    break;
                case WindowKind.Global:
                    Add((row.Sensor, 0), row);
                    break;
                default:
                    var accepted = false;
                    for (var start = WindowStart(row.Time); start > row.Time - _spec.Size; start -= _spec.Hop)
                    {
                        if (start + _spec.Size > purgeBefore)
                        {
                            Add((row.Sensor, start), row);
                            accepted = true;
                        }
                    }

                    if (!accepted)
                    {
                        Late.Add(row);
                    }

                    break;
            }
        }

        if (rows.Count > 0)
        {
            _watermark = Math.Max(_watermark, _max - _bound);
        }

        if (_spec.Kind == WindowKind.Session)
        {
            var newPurge = _watermark - _lateness;
            foreach (var list in _sessions.Values)
            {
                foreach (var s in list.Where(s => s.Last + _spec.Gap <= newPurge).ToList())
                {
                    list.Remove(s);
                    ClosedSessions.Add(s);
                }
            }
        }
    }

    /// <summary>Final rows of every (key, window start) that received at least one row.</summary>
    public Dictionary<(long Key, long Start), List<Reading>> Windows()
    {
        if (_spec.Kind != WindowKind.Session)
        {
            return _windows;
        }

        var all = ClosedSessions.Concat(_sessions.Values.SelectMany(s => s));
        return all.ToDictionary(s => ((long)s.Key, s.Start), s => s.Rows);
    }

    public long SessionEnd((long Key, long Start) id) =>
        ClosedSessions.Concat(_sessions.Values.SelectMany(s => s)).Single(s => s.Key == id.Key && s.Start == id.Start).Last + _spec.Gap;

    private long WindowStart(long t)
    {
        var k = Math.Floor((double)(t - _spec.Offset) / _spec.Hop);
        var start = _spec.Offset + ((long)k * _spec.Hop);
        while (start > t)
        {
            start -= _spec.Hop;
        }

        while (start + _spec.Hop <= t)
        {
            start += _spec.Hop;
        }

        return start;
    }

    private void Add((long, long) id, Reading row)
    {
        if (!_windows.TryGetValue(id, out var list))
        {
            _windows[id] = list = [];
        }

        list.Add(row);
    }

    private void AddToSession(Reading row, long purgeBefore)
    {
        if (!_sessions.TryGetValue(row.Sensor, out var list))
        {
            _sessions[row.Sensor] = list = [];
        }

        var joined = list.Where(s => row.Time > s.Start - _spec.Gap && row.Time < s.Last + _spec.Gap).ToList();
        if (joined.Count == 0)
        {
            if (row.Time + _spec.Gap <= purgeBefore)
            {
                Late.Add(row);
                return;
            }

            list.Add(new Session(row.Sensor, row.Time, row.Time, [row]));
            return;
        }

        foreach (var s in joined)
        {
            list.Remove(s);
        }

        var rows = joined.SelectMany(s => s.Rows).Append(row).ToList();
        list.Add(new Session(row.Sensor, Math.Min(row.Time, joined.Min(s => s.Start)), Math.Max(row.Time, joined.Max(s => s.Last)), rows));
    }

    internal sealed record Session(int Key, long Start, long Last, List<Reading> Rows);
}

/// <summary>Exact aggregates of a list of rows, for comparison.</summary>
internal static class ReferenceAggregates
{
    public static void AssertMatches(WindowRow actual, List<Reading> rows, double relativeAccuracy = 0.01)
    {
        Assert.Equal(rows.Count, actual.Count);
        Check(actual, WindowTestData.Speed, [.. rows.Select(r => (r.Time, r.Speed))], AggregateKinds.All, relativeAccuracy);
        Check(actual, WindowTestData.Occupancy, [.. rows.Select(r => (r.Time, r.Occupancy))], AggregateKinds.Mean | AggregateKinds.Max | AggregateKinds.Count, relativeAccuracy);
    }

    private static void Check(WindowRow actual, string name, List<(long Time, double Value)> all, AggregateKinds kinds, double alpha)
    {
        // Arrival order is kept by the list; first/last take the earliest/latest time, ties by arrival.
        var values = all.Where(v => double.IsFinite(v.Value)).ToList();
        var xs = values.Select(v => v.Value).ToList();
        var n = xs.Count;
        var sorted = xs.OrderBy(x => x).ToList();
        var mean = n == 0 ? double.NaN : xs.Sum() / n;
        var variance = n < 2 ? double.NaN : xs.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        var expected = new Dictionary<string, double>
        {
            ["count"] = n,
            ["sum"] = xs.Sum(),
            ["min"] = n == 0 ? double.NaN : sorted[0],
            ["max"] = n == 0 ? double.NaN : sorted[^1],
            ["mean"] = mean,
            ["var"] = variance,
            ["std"] = Math.Sqrt(variance),
            ["first"] = n == 0 ? double.NaN : values.First(v => v.Time == values.Min(w => w.Time)).Value,
            ["last"] = n == 0 ? double.NaN : values.Last(v => v.Time == values.Max(w => w.Time)).Value,
        };
        foreach (var (suffix, q) in new[] { ("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99) })
        {
            expected[suffix] = n == 0 ? double.NaN : sorted[(int)Math.Floor(q * (n - 1))];
        }

        for (var bit = 0; bit < 13; bit++)
        {
            if (((int)kinds & (1 << bit)) == 0)
            {
                continue;
            }

            var suffix = new[] { "count", "sum", "min", "max", "mean", "var", "std", "first", "last", "p50", "p90", "p95", "p99" }[bit];
            var column = name + "_" + suffix;
            var got = actual.Values[column];
            var want = expected[suffix];
            if (double.IsNaN(want))
            {
                Assert.True(double.IsNaN(got), $"{column}: expected NaN, got {got}");
                continue;
            }

            var tolerance = bit >= 9 ? (alpha * Math.Abs(want)) + 1e-12 : 1e-9 * Math.Max(1, Math.Abs(want)) + (suffix is "var" or "std" ? 1e-6 : 0);
            Assert.True(Math.Abs(got - want) <= tolerance, $"{column} of window [{actual.Start}, {actual.End}) key {actual.Key}: expected {want}, got {got} (n = {n})");
        }
    }
}
