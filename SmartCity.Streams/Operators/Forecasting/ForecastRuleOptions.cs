using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Options of a <see cref="ForecastRuleOperator"/>: which side of which threshold is the condition, what event it raises,
/// and the hysteresis and debounce that keep a borderline forecast from flapping.
/// </summary>
public sealed record ForecastRuleOptions
{
    /// <summary>The level that defines the condition (e.g. 40 mph, or a passenger count).</summary>
    public required double Threshold { get; init; }

    /// <summary>Below for speeds and low demand, Above for occupancy, travel time and high demand. Default Below.</summary>
    public ThresholdDirection Direction { get; init; } = ThresholdDirection.Below;

    /// <summary>Category of the condition events. Default <see cref="EventCategory.CongestionAhead"/>.</summary>
    public EventCategory Category { get; init; } = EventCategory.CongestionAhead;

    /// <summary>Risk or opportunity. Default risk.</summary>
    public EventKind Kind { get; init; } = EventKind.Risk;

    /// <summary>
    /// Hysteresis on the probability that the condition holds within the horizon: opens at 0.7, resolves once below
    /// 0.4 for 10 minutes of event time, then stays quiet for 15 minutes.
    /// </summary>
    public EventLifecycleOptions Lifecycle { get; init; } = new()
    {
        OpenThreshold = 0.7,
        ResolveThreshold = 0.4,
        ResolveAfter = TimeSpan.FromMinutes(10),
        Cooldown = TimeSpan.FromMinutes(15),
        UpdateDelta = 0.15,
    };

    /// <summary>Also emit <see cref="EventCategory.Recovery"/> opportunities when a sensor in the condition now is forecast out of it. Default false.</summary>
    public bool EmitRecovery { get; init; }

    /// <summary>Parallel routes: a <see cref="EventCategory.FreeAlternative"/> opportunity opens when the route has an open condition and its alternative is forecast clear. Both sensors must run on the same lane.</summary>
    public IReadOnlyList<AlternativeRoute>? Alternatives { get; init; }

    /// <summary>Congestion ahead on speed sensors: speed forecast at or below <paramref name="speed"/>, with recovery opportunities.</summary>
    public static ForecastRuleOptions Congestion(double speed) => new()
    {
        Threshold = speed,
        Direction = ThresholdDirection.Below,
        Category = EventCategory.CongestionAhead,
        Kind = EventKind.Risk,
        EmitRecovery = true,
    };

    /// <summary>A low-demand window (an opportunity for charging, maintenance, off-peak offers): demand at or below <paramref name="level"/>.</summary>
    public static ForecastRuleOptions LowDemand(double level) => new()
    {
        Threshold = level,
        Direction = ThresholdDirection.Below,
        Category = EventCategory.LowDemand,
        Kind = EventKind.Opportunity,
    };

    /// <summary>A high-demand window (a risk for dispatch and capacity): demand at or above <paramref name="level"/>.</summary>
    public static ForecastRuleOptions HighDemand(double level) => new()
    {
        Threshold = level,
        Direction = ThresholdDirection.Above,
        Category = EventCategory.HighDemand,
        Kind = EventKind.Risk,
    };

    internal void Validate(string operatorName)
    {
        if (!double.IsFinite(Threshold))
        {
            throw new PipelineConfigurationException($"Operator '{operatorName}': Threshold must be finite, got {Threshold}.");
        }

        if (Lifecycle is null)
        {
            throw new PipelineConfigurationException($"Operator '{operatorName}': Lifecycle must be set.");
        }

        Lifecycle.Validate(operatorName);
    }
}
