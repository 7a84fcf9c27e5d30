using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Basic;

/// <summary>Options of <see cref="EwmaOperator"/>.</summary>
public sealed record EwmaOptions
{
    /// <summary>Weight of the newest reading, in (0, 1]. Default 0.05 (an effective memory of about 20 readings).</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Readings a sensor needs before its z-score is reported (NaN before). Default 10.</summary>
    public int WarmUp { get; init; } = 10;

    /// <summary>Prefix of the output columns <c>{prefix}_mean</c>, <c>{prefix}_std</c>, <c>{prefix}_z</c>. Default: the measure's name.</summary>
    public string? OutputPrefix { get; init; }

    internal void Validate(string name)
    {
        if (!(Alpha > 0 && Alpha <= 1))
        {
            throw new PipelineConfigurationException($"EWMA '{name}': Alpha must be in (0, 1], got {Alpha}.");
        }

        if (WarmUp < 1)
        {
            throw new PipelineConfigurationException($"EWMA '{name}': WarmUp must be at least 1 reading, got {WarmUp}.");
        }
    }
}
