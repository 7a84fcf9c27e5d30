namespace SmartCity.Streams.Events;

/// <summary>What <see cref="EventLifecycle.Observe"/> decided for one row.</summary>
public enum EventTransition : byte
{
    /// <summary>Nothing to emit.</summary>
    None,

    /// <summary>Emit an <see cref="EventPhase.Open"/> event.</summary>
    Open,

    /// <summary>Emit an <see cref="EventPhase.Update"/> event.</summary>
    Update,

    /// <summary>Emit a <see cref="EventPhase.Resolve"/> event.</summary>
    Resolve,
}
