namespace SmartCity.Streams.Operators.Basic;

/// <summary>Which side of the threshold is the condition.</summary>
public enum ThresholdDirection
{
    /// <summary>The condition holds when the value is at or above the threshold (occupancy, z-score).</summary>
    Above,

    /// <summary>The condition holds when the value is at or below the threshold (speed).</summary>
    Below,
}
