using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Windowing;

namespace SmartCity.Streams.Tests.Operators.Windowing;

/// <summary>Partial aggregates merge into exactly what aggregating the union gives; the sketch keeps its bound.</summary>
public sealed class AggregateMergeTests
{
    private static readonly WindowMeasure[] AllOfX = [new("x", AggregateKinds.All)];

    [Property(MaxTest = 200)]
    public void Merging_partials_equals_aggregating_the_union(int seed)
    {
        var random = new Random(seed);
        var (store, _) = NewStore(0.01, 2048);
        var a = store.Rent();
        var b = store.Rent();
        var union = store.Rent();
        var n = random.Next(0, 60);
        var m = random.Next(0, 60);

        // Distinct times so first/last are well defined; the two parts interleave in time.
        var times = Enumerable.Range(0, n + m).Select(i => (long)i * 1000).OrderBy(_ => random.Next()).ToArray();
        for (var i = 0; i < n + m; i++)
        {
            var x = Value(random);
            store.Add(i < n ? a : b, 0, times[i], x);
            store.Add(union, 0, times[i], x);
        }

        store.Merge(a, b);
        var merged = Read(store, a);
        var expected = Read(store, union);
        foreach (var (column, want) in expected)
        {
            var got = merged[column];
            var tolerance = column.EndsWith("_var", StringComparison.Ordinal) || column.EndsWith("_std", StringComparison.Ordinal) || column.EndsWith("_mean", StringComparison.Ordinal) || column.EndsWith("_sum", StringComparison.Ordinal)
                ? 1e-9 * Math.Max(1, Math.Abs(want))
                : 0;
            Assert.True(double.IsNaN(want) ? double.IsNaN(got) : Math.Abs(got - want) <= tolerance, $"{column}: merged {got}, union {want}");
        }
    }

    [Property(MaxTest = 200)]
    public Property Quantiles_are_within_the_relative_error_bound() =>
        Prop.ForAll(
            Gen.Choose(1, 400).SelectMany(n => Gen.Choose(-1000, 1000).ArrayOf(n)).ToArbitrary(),
            Gen.Elements(0.001, 0.01, 0.02, 0.05).ToArbitrary(),
            (int[] seeds, double alpha) =>
            {
                var (store, _) = NewStore(alpha, 16384);
                var slot = store.Rent();

                // Magnitudes over ten orders (1e-4 .. 1e6), both signs, and zeros.
                var values = seeds.Select(s => s == 0 ? 0.0 : Math.Sign(s) * Math.Pow(10, (Math.Abs(s) / 100.0) - 4)).ToArray();
                foreach (var x in values)
                {
                    store.Add(slot, 0, 0, x);
                }

                var sorted = values.OrderBy(x => x).ToArray();
                var result = Read(store, slot);
                foreach (var (suffix, q) in new[] { ("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99) })
                {
                    var exact = sorted[(int)Math.Floor(q * (sorted.Length - 1))];
                    var estimate = result["x_" + suffix];
                    // The bound is exact in real arithmetic; a value on a bucket boundary (such as 1.0) may land a
                    // few ulps beyond it in doubles (seen: relative error 0.001000000000000112 for alpha 0.001).
                    if (Math.Abs(estimate - exact) > (alpha * (1 + 1e-9) * Math.Abs(exact)) + 1e-300)
                    {
                        return false;
                    }
                }

                return true;
            });

    [Fact]
    public void A_value_on_a_bucket_boundary_stays_within_the_bound_up_to_rounding()
    {
        // FsCheck replay (18406838526140678945,16375197328230378649,87): p50 = 1.0 exactly, alpha = 0.001.
        int[] seeds = [741, 811, 400, -464, 501, 505, 616, 342, 27, -557, -515];
        var (store, _) = NewStore(0.001, 16384);
        var slot = store.Rent();
        foreach (var s in seeds)
        {
            store.Add(slot, 0, 0, Math.Sign(s) * Math.Pow(10, (Math.Abs(s) / 100.0) - 4));
        }

        var p50 = Read(store, slot)["x_p50"];
        Assert.InRange(Math.Abs(p50 - 1.0), 0.0, 0.001 * (1 + 1e-9));
    }

    [Fact]
    public void Merged_sketch_equals_the_sketch_of_the_union()
    {
        var random = new Random(7);
        var (store, _) = NewStore(0.01, 64);
        var a = store.Rent();
        var b = store.Rent();
        var union = store.Rent();
        for (var i = 0; i < 2000; i++)
        {
            var x = Math.Exp(random.NextDouble() * 20) * (random.Next(4) == 0 ? -1 : 1);
            store.Add(i % 3 == 0 ? a : b, 0, i, x);
            store.Add(union, 0, i, x);
        }

        store.Merge(a, b);
        var merged = Read(store, a);
        var expected = Read(store, union);
        foreach (var suffix in new[] { "p50", "p90", "p95", "p99" })
        {
            // With 64 buckets the values collapse, so this checks that collapsing is merge-consistent too.
            Assert.Equal(expected["x_" + suffix], merged["x_" + suffix], 1e-9);
        }
    }

    [Fact]
    public void Sketches_are_pooled_and_released()
    {
        var (store, _) = NewStore(0.01, 256);
        var slots = Enumerable.Range(0, 100).Select(_ => store.Rent()).ToList();
        Assert.Equal(100, store.LiveSketches);
        foreach (var slot in slots)
        {
            store.Release(slot);
        }

        Assert.Equal(0, store.LiveSketches);
        Assert.Equal(0, store.Live);
        var again = store.Rent();
        Assert.Contains(again, slots);
    }

    private static double Value(Random random) => Math.Round((random.NextDouble() - 0.3) * 200, 2);

    private static (AccumulatorStore Store, BatchSchema Schema) NewStore(double alpha, int buckets)
    {
        var plans = new[] { new MeasurePlan(0, AggregateKinds.All, 3) };
        return (new AccumulatorStore(plans, new QuantileSketchArena(alpha, buckets)), WindowColumns.Schema(AllOfX));
    }

    private static Dictionary<string, double> Read(AccumulatorStore store, int slot)
    {
        var schema = WindowColumns.Schema(AllOfX);
        var buffer = new BatchBuffer(schema, new KeyIndex());
        var row = buffer.Append(0, 0);
        store.WriteResult(buffer, row, slot);
        var values = new Dictionary<string, double>();
        for (var c = 0; c < schema.Count; c++)
        {
            if (schema.Columns[c].Type == ColumnType.Float64)
            {
                values[schema.Columns[c].Name] = buffer.Batch.GetDoubles(c)[row];
            }
        }

        return values;
    }
}
