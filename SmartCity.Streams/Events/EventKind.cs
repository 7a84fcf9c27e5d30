namespace SmartCity.Streams.Events;

/// <summary>Whether an event warns of a risk or points to an opportunity.</summary>
public enum EventKind : byte
{
    /// <summary>Something is going wrong or is about to (incident, congestion ahead, failing sensor).</summary>
    Risk,

    /// <summary>Something is going right or is about to (road clearing, free alternative, low-demand window).</summary>
    Opportunity,
}
