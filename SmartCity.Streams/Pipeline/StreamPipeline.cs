using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Pipeline;

/// <summary>
/// An immutable, validated pipeline definition. Run it synchronously with <see cref="CreateRun"/> (embedding,
/// tests) or on several lanes with <see cref="RunAsync"/>.
/// </summary>
public sealed class StreamPipeline
{
    internal StreamPipeline(string name, InputBinding input, IReadOnlyList<StreamOperator> operators, IReadOnlyList<BatchSchema> schemas,
        IEventSink[] eventSinks, IBatchSink[] batchSinks, IBatchSink[] lateSinks, TimeSpan outOfOrderness, TimeSpan idleTimeout, int laneCapacity, TimeProvider clock)
    {
        Name = name;
        Input = input;
        Operators = [.. operators];
        Schemas = [.. schemas];
        EventSinks = eventSinks;
        BatchSinks = batchSinks;
        LateSinks = lateSinks;
        OutOfOrderness = outOfOrderness;
        IdleTimeout = idleTimeout;
        LaneCapacity = laneCapacity;
        Clock = clock;
        var tracks = Operators.Count == 0;
        foreach (var op in Operators)
        {
            tracks |= op.UsesWatermark;
        }

        TracksWatermark = tracks;
    }

    /// <summary>Starts a pipeline definition reading the given columns.</summary>
    /// <param name="keyColumn">Sensor id column.</param>
    /// <param name="timeColumn">Event time column.</param>
    /// <param name="measureColumns">Measure columns.</param>
    public static PipelineBuilder Create(string keyColumn, string timeColumn, params string[] measureColumns) =>
        new(new InputBinding(keyColumn, timeColumn, measureColumns));

    /// <summary>Starts a pipeline definition from an input binding.</summary>
    public static PipelineBuilder Create(InputBinding input) => new(input ?? throw new ArgumentNullException(nameof(input)));

    /// <summary>Name used in metrics and errors.</summary>
    public string Name { get; }

    /// <summary>The columns read from the input.</summary>
    public InputBinding Input { get; }

    /// <summary>The operator definitions, in order.</summary>
    public IReadOnlyList<StreamOperator> Operators { get; }

    /// <summary>Schema before each operator and after the last one (Count = operators + 1).</summary>
    public IReadOnlyList<BatchSchema> Schemas { get; }

    /// <summary>Schema of the batches leaving the pipeline.</summary>
    public BatchSchema OutputSchema => Schemas[^1];

    /// <summary>Allowed out-of-orderness of event times.</summary>
    public TimeSpan OutOfOrderness { get; }

    /// <summary>Idle timeout of source partitions.</summary>
    public TimeSpan IdleTimeout { get; }

    /// <summary>Batches buffered per lane.</summary>
    public int LaneCapacity { get; }

    /// <summary>False when every operator declares <see cref="StreamOperator.UsesWatermark"/> false: event time is then not tracked.</summary>
    public bool TracksWatermark { get; }

    internal IEventSink[] EventSinks { get; }

    internal IBatchSink[] BatchSinks { get; }

    internal IBatchSink[] LateSinks { get; }

    internal TimeProvider Clock { get; }

    /// <summary>
    /// Creates a synchronous run on the calling thread. With <paramref name="lanes"/> &gt; 1 the rows are still
    /// partitioned by key hash into that many independent lanes, processed one after the other: the same
    /// results as a threaded run, deterministically.
    /// </summary>
    public PipelineRun CreateRun(int lanes = 1, int partitions = 1)
    {
        if (lanes < 1)
        {
            throw new PipelineConfigurationException($"A run needs at least one lane (got {lanes}).");
        }

        return new PipelineRun(this, lanes, partitions, concurrent: false);
    }

    /// <summary>
    /// Runs the pipeline over <paramref name="source"/> until it ends, on <paramref name="lanes"/> threads.
    /// Rows are partitioned by a stable hash of the sensor id; each lane owns its state; lanes are fed through
    /// bounded channels so a slow lane or sink slows the source down instead of growing memory.
    /// </summary>
    /// <returns>The run's statistics.</returns>
    /// <exception cref="OperatorException">An operator failed; results before the failing batch were delivered.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task<Diagnostics.PipelineStatistics> RunAsync(BatchSource source, int lanes = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (lanes < 1)
        {
            throw new PipelineConfigurationException($"A run needs at least one lane (got {lanes}).");
        }

        if (source.Schema is { } schema)
        {
            ArrowBatchBinder.Validate(schema, Input);
        }

        return new LanedExecution(this, source, lanes).RunAsync(cancellationToken);
    }
}
