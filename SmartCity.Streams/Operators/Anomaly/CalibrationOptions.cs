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

    /// <summary>Surprise at which the bounded surprise u = r / (r + scale) reaches 0.5; 0 keeps the raw surprise. Default 20.
    /// Bounding makes the likelihood depend on how long the surprise lasts more than on how extreme one row is.</summary>
    public double SurpriseScale { get; init; } = 20;

    /// <summary>Number of earlier rows (exponentially weighted over <see cref="LongWindow"/>) at a level of surprise after
    /// which that level counts as recurring: a row at a recurring level gets its observed frequency as tail probability
    /// instead of the Gaussian extrapolation, so a routine spike stops alarming while a first-time one still does.
    /// Levels are doublings of the raw surprise from <see cref="SurpriseScale"/>. Default 5, the usual minimum count for
    /// trusting an empirical frequency; 0 turns the check off.</summary>
    public double RecurrenceCount { get; init; } = 5;

    /// <summary>Rows per block of the per-key evidence normalisation; 0 (the default) turns it off. When on, each key's
    /// typical maximum evidence per block (block maxima capped at a tail of 1e-10, learnt after the key's first two
    /// blocks) is compared with what a calibrated likelihood gives over as many rows (log10 B + 0.25), and the key's
    /// evidence is divided by the ratio when it is larger: keys whose surprise is heavy-tailed or bursty (message counts,
    /// machine metrics) stop raising an alarm at every routine burst, calibrated keys are untouched. On the full NAB
    /// corpus 250 rows lifts the ensemble from 58.7 to 62.4 (standard) but costs traffic data (docs/accuracy.md), hence
    /// off by default. Otherwise at least 16.</summary>
    public int EvidenceBlockRows { get; init; }

    /// <summary>Rows per key before any non-zero score is produced (warm-up). Default 30.</summary>
    public int WarmUpRows { get; init; } = 30;

    /// <summary>Smallest score that starts a cooldown (a peak). Default 0.3 (tail probability about 0.1).</summary>
    public double AlarmScore { get; init; } = 0.3;

    /// <summary>Rows after a peak during which a row scores in full only if it exceeds that peak, so that one incident
    /// crosses any threshold once instead of on every row. Default 100 (about 8 hours of 5-minute data); 0 turns it off.</summary>
    public int CooldownRows { get; init; } = 100;

    /// <summary>Factor applied to the rows held down by the cooldown. Default 0.</summary>
    public double CooldownFactor { get; init; }

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

        if (!(SurpriseScale >= 0) || double.IsInfinity(SurpriseScale))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(SurpriseScale), "SurpriseScale must be a finite number >= 0.");
        }

        if (!(RecurrenceCount >= 0) || double.IsInfinity(RecurrenceCount))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(RecurrenceCount), "RecurrenceCount must be a finite number >= 0.");
        }

        if (EvidenceBlockRows != 0 && EvidenceBlockRows < 16)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(EvidenceBlockRows), "EvidenceBlockRows must be 0 (off) or at least 16.");
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
