using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Windowing;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>One input reading: sensor id, event time (µs), two measures (NaN = null).</summary>
internal readonly record struct Reading(int Sensor, long Time, double Speed, double Occupancy);

/// <summary>A result row as the tests see it.</summary>
internal sealed record WindowRow(long Key, long Start, long End, long Count, bool IsUpdate, Dictionary<string, double> Values);

/// <summary>Builds Arrow batches and random streams for window tests.</summary>
internal static class WindowTestData
{
    public const string Speed = "speed";
    public const string Occupancy = "occ";

    private static readonly TimestampType MicrosUtc = new(TimeUnit.Microsecond, "UTC");

    /// <summary>One schema object for every batch, as a real source has: the binder re-resolves a new schema object.</summary>
    public static readonly Schema InputSchema = new Schema.Builder()
        .Field(new Field("sensor", Int32Type.Default, false))
        .Field(new Field("time", MicrosUtc, false))
        .Field(new Field(Speed, DoubleType.Default, true))
        .Field(new Field(Occupancy, DoubleType.Default, true))
        .Build();

    public static readonly WindowMeasure[] Measures =
    [
        new(Speed, AggregateKinds.All),
        new(Occupancy, AggregateKinds.Mean | AggregateKinds.Max | AggregateKinds.Count),
    ];

    /// <summary>An Arrow batch: Int32 "sensor", Timestamp(µs) "time", Double "speed" and "occ" (NaN written as null).</summary>
    public static RecordBatch Batch(IReadOnlyList<Reading> rows)
    {
        var keys = new Int32Array.Builder();
        var speeds = new DoubleArray.Builder();
        var occupancy = new DoubleArray.Builder();
        var times = new long[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            keys.Append(rows[i].Sensor);
            times[i] = rows[i].Time;
            AppendNullable(speeds, rows[i].Speed);
            AppendNullable(occupancy, rows[i].Occupancy);
        }

        var bytes = new byte[times.Length * sizeof(long)];
        MemoryMarshal.AsBytes(times.AsSpan()).CopyTo(bytes);
        var timeArray = new TimestampArray(new ArrayData(MicrosUtc, times.Length, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(bytes)]));
        return new RecordBatch(InputSchema, [keys.Build(), timeArray, speeds.Build(), occupancy.Build()], rows.Count);
    }

    /// <summary>
    /// A random stream: a clock that never goes back, each row's time = clock − a delay. Delays up to
    /// <paramref name="bound"/> keep the row within the out-of-orderness bound; with
    /// <paramref name="lateFraction"/> &gt; 0 some rows are delayed up to <paramref name="lateDelay"/>.
    /// </summary>
    public static List<Reading> Stream(Random random, int rows, int sensors, long step, long bound, double lateFraction = 0, long lateDelay = 0, double badFraction = 0, long origin = 1_700_000_000_000_000)
    {
        var list = new List<Reading>(rows);
        var clock = origin;
        for (var i = 0; i < rows; i++)
        {
            clock += random.NextInt64(0, step + 1);
            var delay = random.NextDouble() < lateFraction ? random.NextInt64(0, lateDelay + 1) : random.NextInt64(0, bound + 1);
            var speed = Math.Round(random.NextDouble() * 120, 1) - (random.NextDouble() < 0.1 ? 130 : 0);
            if (random.NextDouble() < badFraction)
            {
                speed = random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity };
            }

            var occupancy = random.NextDouble() < 0.05 ? double.NaN : random.NextDouble();
            list.Add(new Reading(random.Next(1, sensors + 1), clock - delay, speed, occupancy));
        }

        return list;
    }

    /// <summary>Cuts a stream into batches at random boundaries.</summary>
    public static List<List<Reading>> Split(Random random, List<Reading> rows, int maxBatch)
    {
        var batches = new List<List<Reading>>();
        var i = 0;
        while (i < rows.Count)
        {
            var n = Math.Min(rows.Count - i, random.Next(1, maxBatch + 1));
            batches.Add(rows.GetRange(i, n));
            i += n;
        }

        return batches;
    }

    private static void AppendNullable(DoubleArray.Builder builder, double value)
    {
        if (double.IsNaN(value))
        {
            builder.AppendNull();
        }
        else
        {
            builder.Append(value);
        }
    }
}

/// <summary>Collects window results and late rows.</summary>
internal sealed class WindowCollector : IBatchSink
{
    public List<WindowRow> Rows { get; } = [];

    public void OnBatch(StreamBatch batch)
    {
        var schema = batch.Schema;
        var start = schema.IndexOf(WindowColumns.WindowStart);
        var end = schema.IndexOf(WindowColumns.WindowEnd);
        var count = schema.IndexOf(WindowColumns.RowCount);
        var update = schema.IndexOf(WindowColumns.IsUpdate);
        for (var r = 0; r < batch.Length; r++)
        {
            var values = new Dictionary<string, double>();
            for (var c = 0; c < schema.Count; c++)
            {
                if (schema.Columns[c].Type == ColumnType.Float64)
                {
                    values[schema.Columns[c].Name] = batch.GetDoubles(c)[r];
                }
            }

            Rows.Add(new WindowRow(batch.GetSensor(r).Number, batch.GetInt64s(start)[r], batch.GetInt64s(end)[r], batch.GetInt64s(count)[r], batch.GetInt64s(update)[r] != 0, values));
            Assert.Equal(batch.Times[r], batch.GetInt64s(end)[r]);
        }
    }

    public void OnCompleted(Exception? error) => Assert.Null(error);

    /// <summary>The last result of every (key, window start): what a consumer applying updates ends with.</summary>
    public Dictionary<(long Key, long Start), WindowRow> Final()
    {
        var final = new Dictionary<(long, long), WindowRow>();
        foreach (var row in Rows)
        {
            final[(row.Key, row.Start)] = row;
        }

        return final;
    }
}

/// <summary>Collects the readings sent to the late-data output.</summary>
internal sealed class LateCollector : IBatchSink
{
    public List<(long Key, long Time, double Speed)> Rows { get; } = [];

    public void OnBatch(StreamBatch batch)
    {
        var speed = batch.Schema.IndexOf(WindowTestData.Speed);
        for (var r = 0; r < batch.Length; r++)
        {
            Rows.Add((batch.GetSensor(r).Number, batch.Times[r], batch.GetDoubles(speed)[r]));
        }
    }

    public void OnCompleted(Exception? error) => Assert.Null(error);
}
