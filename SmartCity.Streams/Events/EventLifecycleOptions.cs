using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Events;

/// <summary>
/// Hysteresis and cooldown for turning a per-row score into open / update / resolve events, so that one
/// incident is one event and a borderline sensor does not flap.
/// </summary>
public sealed record EventLifecycleOptions
{
    /// <summary>A condition opens when the score reaches this value. Default 0.8.</summary>
    public double OpenThreshold { get; init; } = 0.8;

    /// <summary>
    /// How long (event time) the score must stay at or above <see cref="OpenThreshold"/>, from the first such row,
    /// before the condition opens; a row below it starts the wait again, a NaN score does not. The event then carries
    /// the first row's time as its onset. Default 0 (the first row at or above opens). Use it to ignore blips.
    /// </summary>
    public TimeSpan OpenAfter { get; init; } = TimeSpan.Zero;

    /// <summary>An open condition resolves once the score stays below this value for <see cref="ResolveAfter"/>. Default 0.5.</summary>
    public double ResolveThreshold { get; init; } = 0.5;

    /// <summary>How long (event time) the score must stay below <see cref="ResolveThreshold"/> before resolving. Default 0 (first row below).</summary>
    public TimeSpan ResolveAfter { get; init; } = TimeSpan.Zero;

    /// <summary>After a resolve, no new condition opens for this long (event time). Default 0.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.Zero;

    /// <summary>An open condition emits an update when its score exceeds the last reported score by this much. Default 0.1; use +Infinity for no updates.</summary>
    public double UpdateDelta { get; init; } = 0.1;

    /// <summary>Checks the options and throws a <see cref="PipelineConfigurationException"/> naming the bad value.</summary>
    public void Validate(string operatorName)
    {
        if (!(OpenThreshold > 0 && OpenThreshold <= 1))
        {
            throw new PipelineConfigurationException($"Operator '{operatorName}': OpenThreshold must be in (0, 1], got {OpenThreshold}.");
        }

        if (!(ResolveThreshold >= 0 && ResolveThreshold <= OpenThreshold))
        {
            throw new PipelineConfigurationException($"Operator '{operatorName}': ResolveThreshold must be in [0, OpenThreshold={OpenThreshold}], got {ResolveThreshold}. A lower resolve threshold is what stops flapping.");
        }

        if (OpenAfter < TimeSpan.Zero || ResolveAfter < TimeSpan.Zero || Cooldown < TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"Operator '{operatorName}': OpenAfter, ResolveAfter and Cooldown must not be negative, got {OpenAfter}, {ResolveAfter}, {Cooldown}.");
        }

        if (!(UpdateDelta > 0))
        {
            throw new PipelineConfigurationException($"Operator '{operatorName}': UpdateDelta must be positive, got {UpdateDelta}.");
        }
    }
}
