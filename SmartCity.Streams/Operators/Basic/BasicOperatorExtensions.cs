using SmartCity.Streams.Pipeline;

namespace SmartCity.Streams.Operators.Basic;

/// <summary>Fluent shortcuts for the basic operators.</summary>
public static class BasicOperatorExtensions
{
    /// <summary>Keeps rows whose <paramref name="column"/> compares true with <paramref name="value"/>.</summary>
    public static PipelineBuilder Filter(this PipelineBuilder builder, string column, Comparison comparison, double value, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Then(new FilterOperator(name ?? $"filter-{column}", column, comparison, value));
    }

    /// <summary>Adds a column computed by a batch kernel.</summary>
    public static PipelineBuilder Derive(this PipelineBuilder builder, string outputColumn, IReadOnlyList<string> inputColumns, DeriveKernel kernel, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Then(new DeriveOperator(name ?? $"derive-{outputColumn}", outputColumn, inputColumns, kernel));
    }

    /// <summary>Adds per-sensor EWMA mean, standard deviation and z-score of <paramref name="column"/>.</summary>
    public static PipelineBuilder Ewma(this PipelineBuilder builder, string column, EwmaOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Then(new EwmaOperator(name ?? $"ewma-{column}", column, options));
    }

    /// <summary>Emits events when a column crosses a threshold, with hysteresis.</summary>
    public static PipelineBuilder Threshold(this PipelineBuilder builder, ThresholdRuleOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.Then(new ThresholdRuleOperator(name ?? $"threshold-{options.Column}", options));
    }
}
