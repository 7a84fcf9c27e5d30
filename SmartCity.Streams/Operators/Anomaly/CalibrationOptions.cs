using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Options of the online anomaly-likelihood calibration that turns a detector's raw surprise into a probability,
/// and of the alarm cooldown applied to the final score.
/// </summary>
public sealed class CalibrationOptions
{
    /// <summary>Default options, used when none are given.</summary>
    public static CalibrationOptions Default { get; } = new();

    /// <summary>Horizon (rows) of the running mean and spread of the raw surprise: the "usual" level of surprise. Default 2000.</summary>
    public int LongWindow { get; init; } = 2000;

    /// <summary>Horizon (rows) of the short average of the surprise that is compared with the usual level. Default 1 (no averaging).</summary>
    public double ShortWindow { get; init; } = 1;

    /// <summary>Rows per key before any non-zero score is produced (warm-up). Default 30.</summary>
    public int WarmUpRows { get; init; } = 30;

    /// <summary>Score from which a row counts as an alarm and starts the cooldown. Default 0.5 (tail probability 1e-5).</summary>
    public double AlarmScore { get; init; } = 0.5;

    /// <summary>Rows after an alarm during which scores are damped, so that one incident yields one detection. Default 0 (off).</summary>
    public int CooldownRows { get; init; }

    /// <summary>Factor applied to scores during the cooldown. Default 0.25.</summary>
    public double CooldownFactor { get; init; } = 0.25;

    internal void Validate()
    {
        if (LongWindow < 2)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(LongWindow), "LongWindow must be at least 2.");
        }

        if (!(ShortWindow >= 1) || double.IsInfinity(ShortWindow))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(ShortWindow), "ShortWindow must be a finite number >= 1.");
        }

        if (WarmUpRows < 0 || CooldownRows < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(WarmUpRows), "WarmUpRows and CooldownRows must not be negative.");
        }

        if (!(AlarmScore > 0 && AlarmScore < 1) || !(CooldownFactor >= 0 && CooldownFactor <= 1))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(AlarmScore), "AlarmScore must be in (0, 1) and CooldownFactor in [0, 1].");
        }
    }
}
