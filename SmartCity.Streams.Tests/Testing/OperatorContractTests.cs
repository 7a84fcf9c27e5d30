using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Testing;
using CustomOperator;
using SmartCity.Streams.Tests.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Testing;

/// <summary>The built-in operators pass the same contract the test kit offers integrators.</summary>
[Collection(AllocationMeasuringCollection.Name)]
public class OperatorContractTests
{
    private static readonly InputBinding Input = new("sensor", "time", ["speed"]);

    private static List<Apache.Arrow.RecordBatch> Data() =>
        TestBatches.Chunk(PipelineHarness.RandomRows(17, 3_000, 40), [700, 1500, 2200]);

    [Fact]
    public void Ewma_and_threshold_rule_pass_the_contract() =>
        new OperatorContract(Input, b => b
            .Ewma("speed", new EwmaOptions { Alpha = 0.2, WarmUp = 3 })
            .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = 2.5, ResolveAt = 1 }))
        { OutOfOrderness = TimeSpan.FromSeconds(5) }
        .AssertAll(Data());

    [Fact]
    public void Filter_and_derive_pass_the_contract() =>
        new OperatorContract(Input, b => b
            .Filter("speed", Comparison.GreaterThan, 30)
            .Derive("double_speed", ["speed"], static (batch, columns, output) =>
            {
                var speed = batch.GetDoubles(columns[0]);
                for (var i = 0; i < speed.Length; i++)
                {
                    output[i] = 2 * speed[i];
                }
            }))
        { OutOfOrderness = TimeSpan.FromSeconds(5) }
        .AssertAll(Data());

    [Fact]
    public void The_worked_example_passes_the_contract() =>
        new OperatorContract(Input, b => b.Then(new ParkingAvailabilityOperator("parking", "speed", 0.2, 0.5)))
        { OutOfOrderness = TimeSpan.FromSeconds(5) }
        .AssertAll(Data());

    [Fact]
    public void Zero_allocation_check_passes_for_a_steady_stream()
    {
        var batches = ZeroAllocationTests.MakeBatches(30, 2048, 300);
        new OperatorContract(Input, b => b.Ewma("speed")).AssertZeroAllocation([.. batches, .. batches], warmUpBatches: 30);
    }

    [Fact]
    public void An_operator_allocating_per_batch_fails_the_zero_allocation_check()
    {
        var batches = ZeroAllocationTests.MakeBatches(12, 512, 50);
        var contract = new OperatorContract(Input, b => b.Then(new AllocatingOperator()));
        var error = Assert.Throws<OperatorContractException>(() => contract.AssertZeroAllocation(batches, warmUpBatches: 6));
        Assert.Contains("every stretch of the 6 steady-state batches allocated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_operator_is_reported_with_the_first_difference()
    {
        var contract = new OperatorContract(Input, b => b.Then(new BatchCountingOperator()));
        var error = Assert.Throws<OperatorContractException>(() => contract.AssertBatchSplitInvariance(Data()));
        Assert.Contains("batch-split invariance", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected:", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Writes how many batches it has seen into every row: depends on batching, so it must fail.</summary>
    private sealed class BatchCountingOperator() : Streams.Operators.StreamOperator("counting")
    {
        public override BatchSchema GetOutputSchema(BatchSchema input) => BatchExtender.Extend(input, [new ColumnInfo("seen", ColumnType.Float64)]);

        public override Streams.Operators.OperatorInstance CreateInstance(Streams.Operators.OperatorContext context) => new Instance(context);

        private sealed class Instance(Streams.Operators.OperatorContext context) : Streams.Operators.OperatorInstance(context)
        {
            private readonly BatchExtender _extender = new(context.InputSchema, context.KeyIndex, [new ColumnInfo("seen", ColumnType.Float64)]);
            private int _batches;

            protected override void OnBatch(StreamBatch batch, Streams.Operators.OperatorOutput output)
            {
                _batches++;
                _extender.Begin(batch);
                _extender.GetDoubles(0).Fill(_batches);
                output.Emit(_extender.Batch);
            }
        }
    }

    /// <summary>Passes batches through but keeps a fresh copy of each batch's speeds: a per-batch allocation.</summary>
    private sealed class AllocatingOperator() : Streams.Operators.StreamOperator("allocating")
    {
        public override BatchSchema GetOutputSchema(BatchSchema input) => input;

        public override Streams.Operators.OperatorInstance CreateInstance(Streams.Operators.OperatorContext context) => new Instance(context);

        private sealed class Instance(Streams.Operators.OperatorContext context) : Streams.Operators.OperatorInstance(context)
        {
            public double[] Last { get; private set; } = [];

            protected override void OnBatch(StreamBatch batch, Streams.Operators.OperatorOutput output)
            {
                Last = batch.GetDoubles(0).ToArray();
                output.Emit(batch);
            }
        }
    }
}
