using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// Event-time windows per sensor (tumbling, hopping, session or global) computing several aggregates over
/// several measures in one pass. Emits one row per window and sensor when the watermark passes the window
/// end: <c>window_start</c>, <c>window_end</c> (also the row's event time), <c>count</c>, the aggregate
/// columns <c>{measure}_{aggregate}</c> and <c>is_update</c>.
/// </summary>
/// <remarks>
/// <para><b>Lateness.</b> A row for a window that has fired but whose end is within
/// <see cref="WindowOptions.AllowedLateness"/> of the watermark updates the window, and the new result is
/// emitted at the end of that batch with <c>is_update</c> = true. A row later than that (every window it
/// belongs to ended at or before watermark − allowed lateness) is sent to the late-data output and counted
/// in <c>RowsLate</c>; it is never silently dropped. The watermark used is the one in force when the row's
/// batch arrives.</para>
/// <para><b>Bad values.</b> Null, NaN and ±Infinity measures are skipped (counted in
/// <c>ValuesSkipped</c>); the row still counts in <c>count</c>. Rows with event times beyond ±2^62 µs are
/// rejected (counted in <c>RowsRejected</c>).</para>
/// <para><b>Early results.</b> <see cref="WindowOptions.EarlyResultEveryRows"/> (row count) and
/// <see cref="WindowOptions.EarlyResultEvery"/> (processing time, on the pipeline's clock, checked once per
/// batch and watermark) emit speculative results of open windows; the final result still comes at the
/// watermark, with <c>is_update</c> = true.</para>
/// <para><b>State</b> lives in flat arrays per open window slot, recycled when windows close: memory follows
/// the number of live windows. The whole state is included in pipeline snapshots, except the processing-time
/// trigger's (its interval restarts after a restore).</para>
/// </remarks>
public sealed class WindowOperator : StreamOperator
{
    /// <summary>Creates a window operator.</summary>
    /// <param name="name">Operator name, unique in the pipeline.</param>
    /// <param name="spec">Window kind and size.</param>
    /// <param name="measures">Measures and their aggregates; at least one.</param>
    /// <param name="options">Lateness, early results and sketch accuracy.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid.</exception>
    public WindowOperator(string name, WindowSpec spec, IReadOnlyList<WindowMeasure> measures, WindowOptions? options = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(measures);
        Spec = spec;
        Options = options ?? new WindowOptions();
        spec.Validate(name);
        Options.Validate(name, spec.Kind);
        if (measures.Count == 0)
        {
            throw new PipelineConfigurationException($"Window '{name}': give at least one measure to aggregate (the row count is always included).");
        }

        var copy = new WindowMeasure[measures.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var measure = measures[i] ?? throw new PipelineConfigurationException($"Window '{name}': measure {i} is null.");
            if (string.IsNullOrWhiteSpace(measure.Column))
            {
                throw new PipelineConfigurationException($"Window '{name}': measure {i} has an empty column name.");
            }

            if (measure.Aggregates == AggregateKinds.None || (measure.Aggregates & ~AggregateKinds.All) != 0)
            {
                throw new PipelineConfigurationException($"Window '{name}': measure '{measure.Column}' asks for no aggregate or an unknown one ({measure.Aggregates}).");
            }

            copy[i] = measure;
        }

        Measures = copy;
    }

    /// <summary>Window kind and size.</summary>
    public WindowSpec Spec { get; }

    /// <summary>Measures and their aggregates.</summary>
    public IReadOnlyList<WindowMeasure> Measures { get; }

    /// <summary>Options.</summary>
    public WindowOptions Options { get; }

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var measure in Measures)
        {
            input.Require(measure.Column, ColumnType.Float64, Name);
        }

        try
        {
            return WindowColumns.Schema(Measures);
        }
        catch (ArgumentException e)
        {
            throw new PipelineConfigurationException($"Window '{Name}': {e.Message} Aggregate each measure in one entry.", e);
        }
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Spec.Kind switch
        {
            WindowKind.Session => new SessionWindowInstance(context, this),
            WindowKind.Global => new GlobalWindowInstance(context, this),
            _ => new PaneWindowInstance(context, this),
        };
    }
}
