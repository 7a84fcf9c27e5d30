using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Batches;

public class SchemaBindingTests
{
    [Fact]
    public void Missing_column_names_column_expected_type_and_available_columns()
    {
        var run = StreamPipeline.Create("sensor", "time", "occupancy").Build().CreateRun();
        var batch = TestBatches.Readings([1], [0], [1.0]);

        var error = Assert.Throws<SchemaMismatchException>(() => run.Process(batch));

        Assert.Equal("occupancy", error.Column);
        Assert.Null(error.Found);
        Assert.Contains("'occupancy' is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("Double, Float, Int32 or Int64", error.Message, StringComparison.Ordinal);
        Assert.Contains("sensor:int32, time:Timestamp(Microsecond), speed:double", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, run.Statistics.RowsIn);
    }

    [Fact]
    public void Wrong_type_names_the_type_found()
    {
        var run = StreamPipeline.Create("speed", "time", "sensor").Build().CreateRun();
        var error = Assert.Throws<SchemaMismatchException>(() => run.Process(TestBatches.Readings([1], [0], [1.0])));
        Assert.Equal("speed", error.Column);
        Assert.Equal("double", error.Found);
        Assert.Contains("key column 'speed' has type double", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_reading_unknown_column_fails_at_build()
    {
        var builder = StreamPipeline.Create("sensor", "time", "speed").Filter("occupancy", Comparison.GreaterThan, 1);
        var error = Assert.Throws<PipelineConfigurationException>(() => builder.Build());
        Assert.Contains("'occupancy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("speed:Float64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_operator_names_fail_at_build()
    {
        var builder = StreamPipeline.Create("sensor", "time", "speed")
            .Filter("speed", Comparison.GreaterThan, 1, name: "f")
            .Filter("speed", Comparison.LessThan, 100, name: "f");
        Assert.Throws<PipelineConfigurationException>(() => builder.Build());
    }

    [Theory]
    [InlineData(TimeUnit.Second, 1L)]
    [InlineData(TimeUnit.Millisecond, 1_000L)]
    [InlineData(TimeUnit.Microsecond, 1_000_000L)]
    [InlineData(TimeUnit.Nanosecond, 1_000_000_000L)]
    public void Timestamps_of_every_unit_become_microseconds(TimeUnit unit, long perSecond)
    {
        var type = new TimestampType(unit, "UTC");
        var times = new long[] { 5 * perSecond, -3 * perSecond };
        var timeArray = new TimestampArray(new ArrayData(type, 2, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer.Builder<long>().AppendRange(times).Build()]));
        var batch = new RecordBatch(
            new Schema([new Field("sensor", Int64Type.Default, false), new Field("time", type, false), new Field("speed", FloatType.Default, false)], null),
            [new Int64Array.Builder().Append(7).Append(8).Build(), timeArray, new FloatArray.Builder().Append(1.5f).Append(2.5f).Build()],
            2);
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed").SendBatchesTo(sink).Build().CreateRun();

        run.Process(batch);

        Assert.Equal([5_000_000L, -3_000_000L], sink.Times);
        Assert.Equal([1.5, 2.5], sink.Values("speed"));
        Assert.Equal([new SensorId(7), new SensorId(8)], sink.Sensors);
    }

    [Fact]
    public void Int64_epoch_milliseconds_and_dictionary_string_keys_bind()
    {
        var dictionary = new StringArray.Builder().Append("A12").Append("B7").Build();
        var indices = new Int32Array.Builder().Append(1).Append(0).Append(1).Build();
        var keys = new DictionaryArray(new DictionaryType(Int32Type.Default, StringType.Default, false), indices, dictionary);
        var batch = new RecordBatch(
            new Schema([new Field("id", keys.Data.DataType, false), new Field("ms", Int64Type.Default, false), new Field("speed", Int32Type.Default, false)], null),
            [keys, new Int64Array.Builder().Append(1).Append(2).Append(3).Build(), new Int32Array.Builder().Append(10).Append(20).Append(30).Build()],
            3);
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("id", "ms", "speed").SendBatchesTo(sink).Build().CreateRun();

        run.Process(batch);

        Assert.Equal([new SensorId("B7"), new SensorId("A12"), new SensorId("B7")], sink.Sensors);
        Assert.Equal([1000L, 2000L, 3000L], sink.Times);
        Assert.Equal([10.0, 20.0, 30.0], sink.Values("speed"));
    }

    [Fact]
    public void Plain_string_keys_bind_and_map_to_the_same_dense_key()
    {
        var batch = new RecordBatch(
            new Schema([new Field("id", StringType.Default, false), new Field("time", TestBatches.Micros, false), new Field("speed", DoubleType.Default, false)], null),
            [new StringArray.Builder().Append("x").Append("y").Append("x").Build(),
             new TimestampArray.Builder(TestBatches.Micros).Append(DateTimeOffset.UnixEpoch).Append(DateTimeOffset.UnixEpoch).Append(DateTimeOffset.UnixEpoch).Build(),
             new DoubleArray.Builder().Append(1).Append(2).Append(3).Build()],
            3);
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("id", "time", "speed").SendBatchesTo(sink).Build().CreateRun();
        run.Process(batch);
        Assert.Equal([0, 1, 0], sink.Keys);
    }
}
