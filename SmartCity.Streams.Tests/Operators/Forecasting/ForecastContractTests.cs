using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Forecasting;
using SmartCity.Streams.Testing;
using SmartCity.Streams.Tests.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

/// <summary>The forecasting operators pass the contract every operator must pass.</summary>
[Collection(AllocationMeasuringCollection.Name)]
public sealed class ForecastContractTests
{
    private static readonly InputBinding Input = new("sensor", "time", ["speed"]);

    // Rows come about 0.2 s apart over 10 minutes: a 10 s step gives about 60 steps.
    private static readonly ForecasterOptions Options = new() { Step = TimeSpan.FromSeconds(10), Horizon = 3 };

    private static List<Apache.Arrow.RecordBatch> Data() =>
        TestBatches.Chunk(PipelineHarness.RandomRows(23, 3_000, 12), [700, 1500, 2200]);

    [Fact]
    public void Forecast_operator_passes_the_contract() =>
        new OperatorContract(Input, b => b.Then(new ForecastOperator("forecast", "speed", Options)))
        { OutOfOrderness = TimeSpan.FromSeconds(5), Iterations = 4 }
        .AssertAll(Data());

    [Fact]
    public void Forecast_rules_pass_the_contract() =>
        new OperatorContract(Input, b => b
            .Then(new ForecastOperator("forecast", "speed", Options))
            .Then(new ForecastRuleOperator("congestion", ForecastRuleOptions.Congestion(40) with
            {
                Lifecycle = new SmartCity.Streams.Events.EventLifecycleOptions { OpenThreshold = 0.3, ResolveThreshold = 0.1 },
            })))
        { OutOfOrderness = TimeSpan.FromSeconds(5), Iterations = 4 }
        .AssertAll(Data());

    [Fact]
    public void Forecasting_a_steady_stream_allocates_nothing()
    {
        // 2048 rows 100 us apart per batch over 300 sensors: a 50 ms step closes about four steps per batch.
        var batches = ZeroAllocationTests.MakeBatches(60, 2048, 300);
        var options = new ForecasterOptions { Step = TimeSpan.FromMilliseconds(50), Horizon = 6 };
        new OperatorContract(Input, b => b
            .Then(new ForecastOperator("forecast", "speed", options))
            .Then(new ForecastRuleOperator("congestion", ForecastRuleOptions.Congestion(52))))
            .AssertZeroAllocation(batches, warmUpBatches: 30);
    }
}
