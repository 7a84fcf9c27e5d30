using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>Options of <see cref="AnomalyScoreOperator"/>.</summary>
public sealed class AnomalyScoreOptions
{
    /// <summary>Name of the added score column. Default <c>{column}_anomaly</c>.</summary>
    public string? OutputColumn { get; init; }

    /// <summary>Category of the events. Default <see cref="EventCategory.Anomaly"/> (use <see cref="EventCategory.Incident"/> for traffic speed).</summary>
    public EventCategory Category { get; init; } = EventCategory.Anomaly;

    /// <summary>Whether risk events are emitted (the score column is always written). Default true.</summary>
    public bool EmitEvents { get; init; } = true;

    /// <summary>
    /// A sensor emits no events until it has this much history (event time since its first reading); its scores are
    /// written all the same. Default 1 day: until a sensor's daily pattern has been seen once, every rush hour is
    /// "unusual" (on a synthetic city of 500 sensors the first day otherwise opens about 2 false events per sensor,
    /// the following days about 0.05). Use <see cref="TimeSpan.Zero"/> for sensors restored from a snapshot or with no
    /// daily pattern.
    /// </summary>
    public TimeSpan EventWarmUp { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Hysteresis and cooldown of the events. Default: open at 0.65, resolve once the score stays below 0.45 for
    /// 15 minutes, then no new event for 30 minutes. With the default detectors, 0.65 is above the largest score of a
    /// week of clean seasonal data once the weekly profile is learnt (eight days), and below the score of a 10-sigma
    /// level shift, spike or seasonal break (see the tests of the anomaly operators).
    /// </summary>
    public EventLifecycleOptions Lifecycle { get; init; } = new()
    {
        OpenThreshold = 0.65,
        ResolveThreshold = 0.45,
        ResolveAfter = TimeSpan.FromMinutes(15),
        Cooldown = TimeSpan.FromMinutes(30),
        UpdateDelta = 0.1,
    };

    internal void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(Lifecycle);
        if (EventWarmUp < TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"Operator '{name}': EventWarmUp must not be negative.");
        }

        Lifecycle.Validate(name);
        if (OutputColumn is not null && string.IsNullOrWhiteSpace(OutputColumn))
        {
            throw new PipelineConfigurationException($"Operator '{name}': OutputColumn must not be blank.");
        }
    }
}
