using SmartCity.Streams.Batches;
using SmartCity.Streams.Diagnostics;

namespace SmartCity.Streams.Operators;

/// <summary>What an operator instance knows about where it runs.</summary>
public sealed class OperatorContext
{
    internal OperatorContext(string operatorName, BatchSchema inputSchema, BatchSchema outputSchema, KeyIndex keyIndex, int lane, int laneCount, LaneCounters counters, TimeProvider clock)
    {
        OperatorName = operatorName;
        InputSchema = inputSchema;
        OutputSchema = outputSchema;
        KeyIndex = keyIndex;
        Lane = lane;
        LaneCount = laneCount;
        Counters = counters;
        Clock = clock;
    }

    /// <summary>The operator's name (from its definition).</summary>
    public string OperatorName { get; }

    /// <summary>Schema of the batches the instance receives.</summary>
    public BatchSchema InputSchema { get; }

    /// <summary>Schema of the batches the instance emits (as returned by <see cref="StreamOperator.GetOutputSchema"/>).</summary>
    public BatchSchema OutputSchema { get; }

    /// <summary>The lane's key index (shared by every operator of the lane).</summary>
    public KeyIndex KeyIndex { get; }

    /// <summary>This lane's number, 0..<see cref="LaneCount"/>-1.</summary>
    public int Lane { get; }

    /// <summary>Number of lanes in the run.</summary>
    public int LaneCount { get; }

    /// <summary>Counters of the lane; operators add the rows they reject or find late.</summary>
    public LaneCounters Counters { get; }

    /// <summary>The pipeline's processing-time clock (<c>PipelineBuilder.WithTimeProvider</c>), for operators with processing-time triggers.</summary>
    internal TimeProvider Clock { get; }
}
