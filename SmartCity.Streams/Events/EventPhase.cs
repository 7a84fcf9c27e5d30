namespace SmartCity.Streams.Events;

/// <summary>Where an event stands in its lifecycle.</summary>
public enum EventPhase : byte
{
    /// <summary>The condition started.</summary>
    Open,

    /// <summary>The condition goes on and changed noticeably (for example its severity).</summary>
    Update,

    /// <summary>The condition ended.</summary>
    Resolve,
}
