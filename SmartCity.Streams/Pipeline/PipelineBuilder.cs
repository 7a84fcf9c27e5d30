using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators;

namespace SmartCity.Streams.Pipeline;

/// <summary>
/// Fluent, typed construction of a <see cref="StreamPipeline"/>: input binding → operators → sinks.
/// Everything is validated by <see cref="Build"/>, before any data flows.
/// </summary>
public sealed class PipelineBuilder
{
    private readonly InputBinding _input;
    private readonly List<StreamOperator> _operators = [];
    private readonly List<IEventSink> _eventSinks = [];
    private readonly List<IBatchSink> _batchSinks = [];
    private readonly List<IBatchSink> _lateSinks = [];
    private string _name = "pipeline";
    private TimeSpan _outOfOrderness = TimeSpan.Zero;
    private TimeSpan _idleTimeout = TimeSpan.FromSeconds(30);
    private int _laneCapacity = 4;
    private TimeProvider _clock = TimeProvider.System;

    internal PipelineBuilder(InputBinding input) => _input = input;

    /// <summary>Names the pipeline (used in metrics and errors).</summary>
    public PipelineBuilder WithName(string name)
    {
        _name = name;
        return this;
    }

    /// <summary>How far event times may run behind the newest one seen; the watermark trails by this much. Default 0.</summary>
    public PipelineBuilder WithOutOfOrderness(TimeSpan bound)
    {
        _outOfOrderness = bound;
        return this;
    }

    /// <summary>A source partition silent for this long (processing time) stops holding the watermark back. Default 30 s.</summary>
    public PipelineBuilder WithIdleTimeout(TimeSpan timeout)
    {
        _idleTimeout = timeout;
        return this;
    }

    /// <summary>Batches buffered per lane in multi-lane runs (backpressure bound). Default 4.</summary>
    public PipelineBuilder WithLaneCapacity(int batches)
    {
        _laneCapacity = batches;
        return this;
    }

    /// <summary>Clock for processing time: idle detection and processing-time early window results (tests use a fake one).</summary>
    public PipelineBuilder WithTimeProvider(TimeProvider clock)
    {
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        return this;
    }

    /// <summary>Appends an operator to the chain.</summary>
    public PipelineBuilder Then(StreamOperator op)
    {
        ArgumentNullException.ThrowIfNull(op);
        _operators.Add(op);
        return this;
    }

    /// <summary>Sends the events every operator emits to <paramref name="sink"/>.</summary>
    public PipelineBuilder SendEventsTo(IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _eventSinks.Add(sink);
        return this;
    }

    /// <summary>Sends the batches that leave the last operator to <paramref name="sink"/>.</summary>
    public PipelineBuilder SendBatchesTo(IBatchSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _batchSinks.Add(sink);
        return this;
    }

    /// <summary>Sends rows later than an operator's allowed lateness to <paramref name="sink"/> (they are always counted).</summary>
    public PipelineBuilder SendLateRowsTo(IBatchSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _lateSinks.Add(sink);
        return this;
    }

    /// <summary>Validates the whole configuration and returns the immutable pipeline.</summary>
    /// <exception cref="PipelineConfigurationException">Anything is inconsistent; the message says what and how to fix it.</exception>
    public StreamPipeline Build()
    {
        if (string.IsNullOrWhiteSpace(_name))
        {
            throw new PipelineConfigurationException("The pipeline name must not be empty.");
        }

        if (_outOfOrderness < TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"Out-of-orderness must not be negative (got {_outOfOrderness}).");
        }

        if (_idleTimeout <= TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"The idle timeout must be positive (got {_idleTimeout}).");
        }

        if (_laneCapacity < 1)
        {
            throw new PipelineConfigurationException($"Lane capacity must be at least 1 batch (got {_laneCapacity}).");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var schemas = new List<BatchSchema> { _input.Schema };
        foreach (var op in _operators)
        {
            if (!names.Add(op.Name))
            {
                throw new PipelineConfigurationException($"Two operators are named '{op.Name}'. Operator names must be unique within a pipeline: they name state in snapshots and the source of events.");
            }

            BatchSchema output;
            try
            {
                output = op.GetOutputSchema(schemas[^1]);
            }
            catch (PipelineConfigurationException)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new PipelineConfigurationException($"Operator '{op.Name}' rejected its input ({schemas[^1].Describe()}): {e.Message}", e);
            }

            schemas.Add(output ?? throw new PipelineConfigurationException($"Operator '{op.Name}' returned no output schema."));
        }

        return new StreamPipeline(_name, _input, _operators, schemas, [.. _eventSinks], [.. _batchSinks], [.. _lateSinks],
            _outOfOrderness, _idleTimeout, _laneCapacity, _clock);
    }
}
