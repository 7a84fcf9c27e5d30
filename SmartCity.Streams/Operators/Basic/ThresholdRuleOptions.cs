using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Operators.Basic;

/// <summary>Options of <see cref="ThresholdRuleOperator"/>.</summary>
public sealed record ThresholdRuleOptions
{
    /// <summary>The Float64 column watched.</summary>
    public required string Column { get; init; }

    /// <summary>The condition opens when the value reaches this level.</summary>
    public required double Threshold { get; init; }

    /// <summary>The condition resolves once the value is back past this level (hysteresis). Default: the threshold itself.</summary>
    public double? ResolveAt { get; init; }

    /// <summary>Which side of the threshold is the condition. Default <see cref="ThresholdDirection.Above"/>.</summary>
    public ThresholdDirection Direction { get; init; } = ThresholdDirection.Above;

    /// <summary>Event kind. Default <see cref="EventKind.Risk"/>.</summary>
    public EventKind Kind { get; init; } = EventKind.Risk;

    /// <summary>Event category. Default <see cref="EventCategory.Threshold"/>.</summary>
    public EventCategory Category { get; init; } = EventCategory.Threshold;

    /// <summary>
    /// How long (event time) the value must stay beyond <see cref="Threshold"/> before the event opens, for rules such
    /// as "speed below 20 km/h for 5 minutes"; the event's time is then the first row beyond it. Default 0 (the first
    /// row beyond opens).
    /// </summary>
    public TimeSpan OpenAfter { get; init; } = TimeSpan.Zero;

    /// <summary>How long the value must stay resolved before the event resolves. Default 0.</summary>
    public TimeSpan ResolveAfter { get; init; } = TimeSpan.Zero;

    /// <summary>After a resolve, no new event opens for this long (event time). Default 0.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.Zero;

    internal void Validate(string name)
    {
        if (string.IsNullOrWhiteSpace(Column))
        {
            throw new PipelineConfigurationException($"Threshold rule '{name}': the column name is empty.");
        }

        if (!double.IsFinite(Threshold))
        {
            throw new PipelineConfigurationException($"Threshold rule '{name}': the threshold must be a finite number, got {Threshold}.");
        }

        var resolve = ResolveAt ?? Threshold;
        if (!double.IsFinite(resolve))
        {
            throw new PipelineConfigurationException($"Threshold rule '{name}': ResolveAt must be a finite number, got {resolve}.");
        }

        var wrongSide = Direction == ThresholdDirection.Above ? resolve > Threshold : resolve < Threshold;
        if (wrongSide)
        {
            throw new PipelineConfigurationException(
                $"Threshold rule '{name}': ResolveAt={resolve} is on the wrong side of Threshold={Threshold} for direction {Direction}; " +
                "the resolve level must lie on the normal side so the rule does not flap.");
        }

        if (OpenAfter < TimeSpan.Zero || ResolveAfter < TimeSpan.Zero || Cooldown < TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"Threshold rule '{name}': OpenAfter, ResolveAfter and Cooldown must not be negative, got {OpenAfter}, {ResolveAfter}, {Cooldown}.");
        }
    }
}
