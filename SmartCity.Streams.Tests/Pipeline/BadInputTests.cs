using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Pipeline;

public class BadInputTests
{
    [Fact]
    public void Null_keys_and_times_reject_the_row_and_count_it_null_measures_are_skipped()
    {
        var keys = new Int32Array.Builder().Append(1).AppendNull().Append(3).Append(4).Build();
        var times = new TimestampArray.Builder(TestBatches.Micros).Append(DateTimeOffset.UnixEpoch).Append(DateTimeOffset.UnixEpoch).AppendNull().Append(DateTimeOffset.UnixEpoch).Build();
        var values = new DoubleArray.Builder().Append(1).Append(2).Append(3).AppendNull().Build();
        var batch = new RecordBatch(new Schema([new Field("sensor", Int32Type.Default, true), new Field("time", TestBatches.Micros, true), new Field("speed", DoubleType.Default, true)], null), [keys, times, values], 4);
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed").Ewma("speed").SendBatchesTo(sink).Build().CreateRun();

        run.Process(batch);

        Assert.Equal([new SensorId(1), new SensorId(4)], sink.Sensors);
        Assert.Equal(2, run.Statistics.RowsRejected);
        Assert.Equal(1, run.Statistics.ValuesSkipped);
        Assert.True(double.IsNaN(sink.Values("speed")[1]));
    }

    [Fact]
    public void Empty_batch_is_accepted_and_changes_nothing()
    {
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed").Ewma("speed").SendBatchesTo(sink).Build().CreateRun();
        run.Process(TestBatches.Readings([], [], []));
        run.Complete();
        Assert.Empty(sink.Keys);
        Assert.Equal(1, run.Statistics.Batches);
        Assert.True(sink.Completed);
    }

    [Fact]
    public void Out_of_order_times_are_processed_and_the_watermark_never_moves_back()
    {
        var run = StreamPipeline.Create("sensor", "time", "speed").WithOutOfOrderness(TimeSpan.FromTicks(10)).Build().CreateRun();
        run.Process(TestBatches.Readings([1, 1], [100, 50], [1, 2]));
        var first = run.Watermark;
        run.Process(TestBatches.Readings([1], [10], [3]));
        Assert.Equal(99, first);
        Assert.Equal(first, run.Watermark);
        Assert.Equal(3, run.Statistics.RowsIn);
    }

    [Fact]
    public void Failing_operator_names_itself_and_the_batch_and_keeps_earlier_results()
    {
        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        var run = StreamPipeline.Create("sensor", "time", "speed")
            .Then(new FailingOperator("explodes", failOnBatch: 1))
            .SendEventsTo(events)
            .SendBatchesTo(sink)
            .Build()
            .CreateRun();

        run.Process(TestBatches.Readings([1], [1], [1]));
        var error = Assert.Throws<OperatorException>(() => run.Process(TestBatches.Readings([2], [2], [2])));

        Assert.Equal("explodes", error.OperatorName);
        Assert.Equal(1, error.BatchSequence);
        Assert.Contains("Operator 'explodes' failed in OnBatch on lane 0 at source batch #1", error.Message, StringComparison.Ordinal);
        Assert.Single(sink.Keys);
        Assert.Same(error, events.Error);
        Assert.Throws<InvalidOperationException>(() => run.Process(TestBatches.Readings([3], [3], [3])));
    }

    [Fact]
    public async Task Failing_operator_on_two_lanes_surfaces_to_the_caller_without_hanging()
    {
        var batches = ZeroAllocationTests.MakeBatches(50, 1000, 100);
        var events = new CollectingEventSink();
        var pipeline = StreamPipeline.Create("sensor", "time", "speed").Then(new FailingOperator("explodes", failOnBatch: 20)).SendEventsTo(events).Build();

        var run = pipeline.RunAsync(new InMemoryBatchSource(batches), lanes: 2);
        var error = await Assert.ThrowsAsync<OperatorException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("explodes", error.OperatorName);
        Assert.True(events.IsCompleted);
        Assert.NotNull(events.Error);
    }

    [Fact]
    public async Task Cancellation_stops_a_threaded_run()
    {
        var batches = ZeroAllocationTests.MakeBatches(20, 1000, 100);
        using var cancel = new CancellationTokenSource();
        var pipeline = StreamPipeline.Create("sensor", "time", "speed").Then(new SlowOperator(cancel)).Build();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(new InMemoryBatchSource(batches), 2, cancel.Token).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Restoring_a_snapshot_of_another_lane_count_explains_the_mismatch()
    {
        var pipeline = StreamPipeline.Create("sensor", "time", "speed").Ewma("speed").Build();
        var two = pipeline.CreateRun(2);
        two.Process(TestBatches.Readings([1, 2, 3], [1, 2, 3], [1, 2, 3]));
        using var snapshot = new MemoryStream();
        two.SaveState(snapshot);
        snapshot.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => pipeline.CreateRun(1).RestoreState(snapshot));
        Assert.Contains("2 lanes", error.Message, StringComparison.Ordinal);

        var truncated = new MemoryStream(snapshot.ToArray()[..(int)(snapshot.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => pipeline.CreateRun(2).RestoreState(truncated));
    }

    private sealed class FailingOperator(string name, int failOnBatch) : StreamOperator(name)
    {
        public override BatchSchema GetOutputSchema(BatchSchema input) => input;

        public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, failOnBatch);

        private sealed class Instance(OperatorContext context, int failOnBatch) : OperatorInstance(context)
        {
            protected override void OnBatch(StreamBatch batch, OperatorOutput output)
            {
                if (batch.Sequence >= failOnBatch)
                {
                    throw new InvalidOperationException("boom");
                }

                output.Emit(new CityEvent(EventKind.Risk, EventCategory.Custom, EventPhase.Open, batch.GetSensor(0), batch.Times[0], batch.Times[0], 0, 1, 0, 0, "explodes"));
                output.Emit(batch);
            }
        }
    }

    private sealed class SlowOperator(CancellationTokenSource cancel) : StreamOperator("slow")
    {
        public override BatchSchema GetOutputSchema(BatchSchema input) => input;

        public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, cancel);

        private sealed class Instance(OperatorContext context, CancellationTokenSource cancel) : OperatorInstance(context)
        {
            protected override void OnBatch(StreamBatch batch, OperatorOutput output)
            {
                if (batch.Sequence == 3)
                {
                    cancel.Cancel();
                }

                Thread.Sleep(5);
            }
        }
    }
}
