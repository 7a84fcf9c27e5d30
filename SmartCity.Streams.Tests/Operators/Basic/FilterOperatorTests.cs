using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Basic;

public class FilterOperatorTests
{
    [Theory]
    [InlineData(Comparison.GreaterThan, new[] { 3.0, 4.0 })]
    [InlineData(Comparison.GreaterThanOrEqual, new[] { 2.0, 3.0, 4.0 })]
    [InlineData(Comparison.LessThan, new[] { 1.0 })]
    [InlineData(Comparison.LessThanOrEqual, new[] { 1.0, 2.0 })]
    [InlineData(Comparison.Equal, new[] { 2.0 })]
    [InlineData(Comparison.NotEqual, new[] { 1.0, 3.0, 4.0 })]
    public void Keeps_matching_rows_in_order_and_never_NaN(Comparison comparison, double[] expected)
    {
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed").Filter("speed", comparison, 2).SendBatchesTo(sink).Build().CreateRun();
        run.Process(TestBatches.Readings([1, 2, 3, 4, 5], [0, 1, 2, 3, 4], [1, 2, double.NaN, 3, 4]));
        Assert.Equal(expected, sink.Values("speed"));
        Assert.Equal(expected.Length, run.Statistics.RowsOut);
    }

    [Fact]
    public void Selected_rows_keep_their_keys_and_times()
    {
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed").Filter("speed", Comparison.GreaterThan, 10).SendBatchesTo(sink).Build().CreateRun();
        run.Process(TestBatches.Readings([7, 8, 9], [100, 200, 300], [11, 5, 12]));
        Assert.Equal([new Streams.Batches.SensorId(7), new Streams.Batches.SensorId(9)], sink.Sensors);
        Assert.Equal([100L, 300L], sink.Times);
    }

    [Fact]
    public void Derive_adds_a_column_computed_per_batch()
    {
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed")
            .Derive("travel_s", ["speed"], static (batch, columns, output) =>
            {
                var speed = batch.GetDoubles(columns[0]);
                for (var i = 0; i < speed.Length; i++)
                {
                    output[i] = 1000 / (speed[i] / 3.6);
                }
            })
            .SendBatchesTo(sink).Build().CreateRun();
        run.Process(TestBatches.Readings([1, 2], [0, 0], [36, 72]));
        Assert.Equal([100.0, 50.0], sink.Values("travel_s"));
        Assert.Equal([36.0, 72.0], sink.Values("speed"));
    }
}

public class FilterVectorPathTests
{
    [Theory]
    [InlineData(Comparison.GreaterThan)]
    [InlineData(Comparison.GreaterThanOrEqual)]
    [InlineData(Comparison.LessThan)]
    [InlineData(Comparison.LessThanOrEqual)]
    [InlineData(Comparison.Equal)]
    [InlineData(Comparison.NotEqual)]
    public void Vectorised_mask_selects_exactly_the_reference_rows(Comparison comparison)
    {
        var random = new Random((int)comparison);
        var n = 1_000 + random.Next(200); // not a multiple of 64: exercises the vector body and the scalar tail
        var keys = new int[n];
        var times = new long[n];
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = i % 13;
            times[i] = i;
            values[i] = random.Next(10) == 0 ? double.NaN : random.Next(5);
        }

        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed").Filter("speed", comparison, 2).SendBatchesTo(sink).Build().CreateRun();
        run.Process(TestBatches.Readings(keys, times, values));

        var expected = Enumerable.Range(0, n).Where(i => Matches(values[i], comparison)).ToList();
        Assert.Equal(expected.Select(i => (long)i), sink.Times);
        Assert.Equal(expected.Select(i => values[i]), sink.Values("speed"));
        Assert.False(run.Statistics.Watermark > long.MinValue, "a pipeline of row-only operators does not track event time");
    }

    private static bool Matches(double v, Comparison comparison) => comparison switch
    {
        Comparison.GreaterThan => v > 2,
        Comparison.GreaterThanOrEqual => v >= 2,
        Comparison.LessThan => v < 2,
        Comparison.LessThanOrEqual => v <= 2,
        Comparison.Equal => v == 2,
        _ => v != 2 && !double.IsNaN(v),
    };
}
