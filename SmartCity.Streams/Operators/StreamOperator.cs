using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators;

/// <summary>
/// The immutable definition of an operator: validated options and a factory for per-lane instances.
/// </summary>
/// <remarks>
/// <para>The two-type pattern (definition / instance) lets one pipeline definition run many times and on many
/// lanes: the definition holds no mutable state, each <see cref="OperatorInstance"/> owns the state of the
/// keys routed to its lane.</para>
/// <para>Validate options in the constructor and the input schema in <see cref="GetOutputSchema"/>, both
/// throwing <see cref="PipelineConfigurationException"/>: the pipeline's <c>Build()</c> then fails before
/// any data flows.</para>
/// </remarks>
public abstract class StreamOperator
{
    /// <summary>Creates a definition.</summary>
    /// <param name="name">Name used in errors, metrics, events and snapshots; unique within a pipeline.</param>
    protected StreamOperator(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new PipelineConfigurationException("An operator name must not be empty.");
        }

        Name = name;
    }

    /// <summary>The operator's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Whether the operator's instances react to the watermark (windows, forecasts, silence detection). An
    /// operator that only looks at rows returns false; when every operator of a pipeline does, the engine skips
    /// event-time tracking and never reads the time column for it (the watermark then stays at its minimum).
    /// </summary>
    public virtual bool UsesWatermark => true;

    /// <summary>
    /// Checks that the operator can read <paramref name="input"/> and returns the schema of the batches it
    /// emits (the same schema when it only forwards or filters).
    /// </summary>
    /// <exception cref="PipelineConfigurationException">A column is missing or has the wrong type.</exception>
    public abstract BatchSchema GetOutputSchema(BatchSchema input);

    /// <summary>Creates the state-owning instance for one lane of one run.</summary>
    public abstract OperatorInstance CreateInstance(OperatorContext context);

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name} '{Name}'";
}
