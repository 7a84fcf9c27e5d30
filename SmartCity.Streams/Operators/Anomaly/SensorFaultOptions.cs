using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>Options of <see cref="SensorFaultDetector"/>. Every check can be turned off by leaving its default.</summary>
public sealed class SensorFaultOptions
{
    /// <summary>Lowest physically possible value (e.g. 0 for a speed). Default -Infinity (no check).</summary>
    public double Minimum { get; init; } = double.NegativeInfinity;

    /// <summary>Highest physically possible value (e.g. 100 for an occupancy in %). Default +Infinity (no check).</summary>
    public double Maximum { get; init; } = double.PositiveInfinity;

    /// <summary>Largest plausible change per second between consecutive readings (readings closer than a second count
    /// as one second apart). Default +Infinity (no check).</summary>
    public double MaxRatePerSecond { get; init; } = double.PositiveInfinity;

    /// <summary>Consecutive identical readings (within <see cref="FlatLineTolerance"/>) that make a flat line. Default 12
    /// (an hour of 5-minute data); 0 turns the check off.</summary>
    public int FlatLineReadings { get; init; } = 12;

    /// <summary>Largest change still counted as "identical" for the flat-line check. Default 0.</summary>
    public double FlatLineTolerance { get; init; }

    /// <summary>Expected interval between readings; when null it is learnt per sensor (running median-like estimate
    /// of the spacing of its readings). Default null.</summary>
    public TimeSpan? ExpectedInterval { get; init; }

    /// <summary>A gap longer than this many expected intervals is missing data. Default 3; 0 turns the check off.</summary>
    public double GapIntervals { get; init; } = 3;

    internal void Validate()
    {
        if (double.IsNaN(Minimum) || double.IsNaN(Maximum) || Minimum > Maximum)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(Minimum), $"Minimum ({Minimum}) must not exceed Maximum ({Maximum}).");
        }

        if (!(MaxRatePerSecond > 0))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(MaxRatePerSecond), "MaxRatePerSecond must be positive.");
        }

        if (FlatLineReadings < 0 || !(FlatLineTolerance >= 0))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(FlatLineReadings), "FlatLineReadings and FlatLineTolerance must not be negative.");
        }

        if (ExpectedInterval is { } interval && interval <= TimeSpan.Zero)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(ExpectedInterval), "ExpectedInterval must be positive.");
        }

        if (!(GapIntervals >= 0) || double.IsInfinity(GapIntervals))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(GapIntervals), "GapIntervals must be a finite number >= 0.");
        }
    }
}
