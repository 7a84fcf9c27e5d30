using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Turns the batches of a <see cref="ForecastOperator"/> into events: the condition of
/// <see cref="ForecastRuleOptions"/> (congestion ahead, low or high demand) opens when the probability that it holds at
/// some horizon, read off the prediction interval, reaches the lifecycle's open level; the event's horizon is the lead
/// time to the first horizon where it does. Optional recovery and free-alternative opportunities. Forwards its input.
/// </summary>
/// <remarks>
/// The probability treats the interval as the central <see cref="ForecasterOptions.IntervalCoverage"/> = 0.9 range of
/// a piecewise-uniform distribution: crude, but monotone in the forecast and the interval width, which is what the
/// hysteresis needs. Each issue is evaluated at the end of the batch that carries it (the forecast operator emits one
/// issue per batch).
/// </remarks>
public sealed class ForecastRuleOperator : StreamOperator
{
    /// <summary>Creates the rule.</summary>
    public ForecastRuleOperator(string name, ForecastRuleOptions options)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(name);
        Options = options;
    }

    /// <summary>The options.</summary>
    public ForecastRuleOptions Options { get; }

    /// <inheritdoc />
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireForecastColumns(input, Name);
        return input;
    }

    /// <inheritdoc />
    public override OperatorInstance CreateInstance(OperatorContext context) => new ForecastRuleInstance(context, this);

    internal static (int IssuedAt, int Target, int Horizon, int Forecast, int Lower, int Upper) RequireForecastColumns(BatchSchema input, string name) =>
    (
        input.Require(ForecastOperator.IssuedAtColumn, ColumnType.Int64, name),
        input.Require(ForecastOperator.TargetTimeColumn, ColumnType.Int64, name),
        input.Require(ForecastOperator.HorizonColumn, ColumnType.Int64, name),
        input.Require(ForecastOperator.ForecastColumn, ColumnType.Float64, name),
        input.Require(ForecastOperator.LowerColumn, ColumnType.Float64, name),
        input.Require(ForecastOperator.UpperColumn, ColumnType.Float64, name)
    );
}
