using Apache.Arrow;
using Apache.Arrow.Types;

namespace SmartCity.Streams.Benchmarks.Data;

/// <summary>
/// The benchmark data set: readings of <see cref="Sensors"/> sensors, one per sensor per second, timestamps
/// 0.1 ms apart, sensors reporting in a fixed shuffled order; as Arrow batches (what the engine reads) and as
/// plain arrays (what the hand-written baselines read). Built once per process and shared.
/// </summary>
public sealed class Readings
{
    public const int Sensors = 10_000;
    public const int BatchRows = 65_536;
    public const long StepMicros = 100;

    private static readonly Lock Gate = new();
    private static Readings? _shared;

    private Readings(int rows)
    {
        Rows = rows;
        Keys = new int[rows];
        Times = new long[rows];
        Values = new double[rows];
        var random = new Random(20261124);
        var order = new int[Sensors];
        for (var i = 0; i < Sensors; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
        var start = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1000;
        for (var i = 0; i < rows; i++)
        {
            Keys[i] = order[i % Sensors];
            Times[i] = start + (i * StepMicros);
            Values[i] = 60 + (15 * Math.Sin(i / 3_000_000.0)) + (random.NextDouble() * 10) - 5;
        }

        Batches = BuildBatches(Keys, Times, Values);
        Partitioned = [BuildBatches(0), BuildBatches(1)];
    }

    /// <summary>Rows in the data set (20M unless SCS_BENCH_ROWS says otherwise).</summary>
    public int Rows { get; }

    public int[] Keys { get; }

    public long[] Times { get; }

    public double[] Values { get; }

    /// <summary>The rows as Arrow batches of <see cref="BatchRows"/> rows.</summary>
    public IReadOnlyList<RecordBatch> Batches { get; }

    /// <summary>The rows split into two key partitions (as a broker partitioned by key would deliver them).</summary>
    public IReadOnlyList<RecordBatch>[] Partitioned { get; }

    public static Readings Shared
    {
        get
        {
            lock (Gate)
            {
                return _shared ??= new Readings(RowCount());
            }
        }
    }

    public static int RowCount() =>
        int.TryParse(Environment.GetEnvironmentVariable("SCS_BENCH_ROWS"), out var rows) && rows > 0 ? rows : 20_000_000;

    private List<RecordBatch> BuildBatches(int partition)
    {
        var keys = new List<int>();
        var times = new List<long>();
        var values = new List<double>();
        for (var i = 0; i < Rows; i++)
        {
            if (Partition(Keys[i]) == partition)
            {
                keys.Add(Keys[i]);
                times.Add(Times[i]);
                values.Add(Values[i]);
            }
        }

        return BuildBatches([.. keys], [.. times], [.. values]);
    }

    /// <summary>The partition of a sensor on a two-partition broker (same stable hash the engine uses).</summary>
    public static int Partition(int key) => (int)(new SmartCity.Streams.Batches.SensorId(key).StableHash % 2);

    private static List<RecordBatch> BuildBatches(int[] keys, long[] times, double[] values)
    {
        var type = new TimestampType(TimeUnit.Microsecond, "UTC");
        var schema = new Schema(
            [new Field("sensor", Int32Type.Default, false), new Field("time", type, false), new Field("speed", DoubleType.Default, false)], null);
        var batches = new List<RecordBatch>();
        for (var start = 0; start < keys.Length; start += BatchRows)
        {
            var n = Math.Min(BatchRows, keys.Length - start);
            var k = new ArrowBuffer.Builder<int>(n).Append(keys.AsSpan(start, n)).Build();
            var t = new ArrowBuffer.Builder<long>(n).Append(times.AsSpan(start, n)).Build();
            var v = new ArrowBuffer.Builder<double>(n).Append(values.AsSpan(start, n)).Build();
            batches.Add(new RecordBatch(schema,
            [
                new Int32Array(k, ArrowBuffer.Empty, n, 0, 0),
                new TimestampArray(new ArrayData(type, n, 0, 0, [ArrowBuffer.Empty, t])),
                new DoubleArray(v, ArrowBuffer.Empty, n, 0, 0),
            ], n));
        }

        return batches;
    }
}
