using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Forecasts a measure per sensor with an <see cref="OnlineForecaster"/> and emits, each time the watermark closes a
/// step, one row per sensor and horizon: <c>issued_at</c>, <c>target_time</c> (Int64 microseconds), <c>horizon</c>
/// (steps), <c>forecast</c>, <c>lower</c>, <c>upper</c>. The row's event time is its issue time.
/// </summary>
/// <remarks>
/// <para>The input rows are consumed, not forwarded. Readings for a step the watermark has already closed are late:
/// they are counted in the lane's late-row counter and ignored.</para>
/// <para>Road-graph neighbours are given by sensor id and mapped to the lane's dense keys as sensors appear. Lanes
/// partition sensors by hash, so a neighbour on another lane is invisible: run graph models on one lane, or partition
/// by region.</para>
/// </remarks>
public sealed class ForecastOperator : StreamOperator
{
    /// <summary>Output column names.</summary>
    public const string IssuedAtColumn = "issued_at";

    /// <summary>Target time of the forecast row (microseconds since the Unix epoch).</summary>
    public const string TargetTimeColumn = "target_time";

    /// <summary>Steps ahead (1..Horizon).</summary>
    public const string HorizonColumn = "horizon";

    /// <summary>Point forecast.</summary>
    public const string ForecastColumn = "forecast";

    /// <summary>Lower prediction-interval bound.</summary>
    public const string LowerColumn = "lower";

    /// <summary>Upper prediction-interval bound.</summary>
    public const string UpperColumn = "upper";

    private readonly RoadEdge[] _edges;

    /// <summary>Creates the operator.</summary>
    /// <param name="name">Operator name.</param>
    /// <param name="column">Float64 measure to forecast.</param>
    /// <param name="options">Forecaster options; leave <see cref="ForecasterOptions.Graph"/> empty and pass <paramref name="roadEdges"/> instead.</param>
    /// <param name="output">Model whose forecasts are emitted; default the combination (or the only model).</param>
    /// <param name="roadEdges">Optional neighbour edges by sensor id for the autoregressive model.</param>
    /// <exception cref="PipelineConfigurationException">An option is out of range.</exception>
    public ForecastOperator(string name, string column, ForecasterOptions? options = null, ForecastModels output = ForecastModels.Combined, IReadOnlyList<RoadEdge>? roadEdges = null)
        : base(name)
    {
        if (string.IsNullOrWhiteSpace(column))
        {
            throw new PipelineConfigurationException($"Forecast '{name}': the column name is empty.");
        }

        options ??= new ForecasterOptions();
        if (options.Graph is not null)
        {
            throw new PipelineConfigurationException($"Forecast '{name}': ForecasterOptions.Graph holds dense keys, which the engine assigns per lane; pass the edges by sensor id as roadEdges instead.");
        }

        _edges = roadEdges is null ? [] : [.. roadEdges];
        foreach (RoadEdge edge in _edges)
        {
            if (!(edge.Weight > 0) || !double.IsFinite(edge.Weight))
            {
                throw new PipelineConfigurationException($"Forecast '{name}': road edge {edge.From} -> {edge.To} has weight {edge.Weight}; weights must be positive and finite.");
            }
        }

        Options = _edges.Length > 0 ? CopyWithGraph(options, RoadGraph.Empty) : options;
        try
        {
            var probe = new OnlineForecaster(Options);
            Output = probe.IndexOf(output) >= 0 ? output : probe.ModelAt(probe.ModelCount - 1);
        }
        catch (ArgumentException e)
        {
            throw new PipelineConfigurationException($"Forecast '{name}': {e.Message}", e);
        }

        Column = column;
    }

    /// <summary>The measure forecast.</summary>
    public string Column { get; }

    /// <summary>The validated forecaster options.</summary>
    public ForecasterOptions Options { get; }

    /// <summary>The model whose forecasts are emitted.</summary>
    public ForecastModels Output { get; }

    /// <summary>The schema of the emitted batches.</summary>
    public static BatchSchema ForecastSchema { get; } = new(
    [
        new ColumnInfo(IssuedAtColumn, ColumnType.Int64, IsTimestamp: true),
        new ColumnInfo(TargetTimeColumn, ColumnType.Int64, IsTimestamp: true),
        new ColumnInfo(HorizonColumn, ColumnType.Int64),
        new ColumnInfo(ForecastColumn, ColumnType.Float64),
        new ColumnInfo(LowerColumn, ColumnType.Float64),
        new ColumnInfo(UpperColumn, ColumnType.Float64),
    ]);

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Require(Column, ColumnType.Float64, Name);
        return ForecastSchema;
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context) => new ForecastInstance(context, this, _edges);

    private static ForecasterOptions CopyWithGraph(ForecasterOptions o, RoadGraph graph) => new()
    {
        Step = o.Step,
        Horizon = o.Horizon,
        Models = o.Models,
        Graph = graph,
        AutoregressiveOrder = o.AutoregressiveOrder,
        NeighbourLags = o.NeighbourLags,
        ForgettingFactor = o.ForgettingFactor,
        TrendDamping = o.TrendDamping,
        IntervalCoverage = o.IntervalCoverage,
        ErrorSmoothing = o.ErrorSmoothing,
        MaxOpenSteps = o.MaxOpenSteps,
        InitialKeyCapacity = o.InitialKeyCapacity,
    };
}
