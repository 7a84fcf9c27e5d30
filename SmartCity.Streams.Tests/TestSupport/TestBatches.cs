using Apache.Arrow;
using Apache.Arrow.Types;

namespace SmartCity.Streams.Tests.TestSupport;

/// <summary>Builds small Arrow record batches for tests.</summary>
internal static class TestBatches
{
    public static readonly TimestampType Micros = new(TimeUnit.Microsecond, "UTC");

    public static RecordBatch Readings(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values)
    {
        var k = new Int32Array.Builder().Reserve(keys.Length);
        var t = new TimestampArray.Builder(Micros).Reserve(keys.Length);
        var v = new DoubleArray.Builder().Reserve(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            k.Append(keys[i]);
            t.Append(DateTimeOffset.UnixEpoch.AddTicks(timesMicros[i] * 10));
            v.Append(values[i]);
        }

        return new RecordBatch(
            new Schema([new Field("sensor", Int32Type.Default, false), new Field("time", Micros, false), new Field("speed", DoubleType.Default, true)], null),
            [k.Build(), t.Build(), v.Build()],
            keys.Length);
    }

    public static RecordBatch Readings(IReadOnlyList<Reading> rows, int start, int count)
    {
        var keys = new int[count];
        var times = new long[count];
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = rows[start + i].Key;
            times[i] = rows[start + i].Time;
            values[i] = rows[start + i].Value;
        }

        return Readings(keys, times, values);
    }

    /// <summary>Splits rows into batches at the given cut points (sorted, within 1..n-1).</summary>
    public static List<RecordBatch> Chunk(IReadOnlyList<Reading> rows, IEnumerable<int> cuts)
    {
        var batches = new List<RecordBatch>();
        var start = 0;
        foreach (var cut in cuts.Where(c => c > 0 && c < rows.Count).Distinct().Order())
        {
            batches.Add(Readings(rows, start, cut - start));
            start = cut;
        }

        batches.Add(Readings(rows, start, rows.Count - start));
        return batches;
    }
}

internal readonly record struct Reading(int Key, long Time, double Value);
