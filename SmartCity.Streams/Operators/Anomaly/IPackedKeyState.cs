namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// A detector's per-key state packed in one sequential struct, its doubles first and an <see cref="int"/> count last,
/// so a row touches one cache line. Snapshots are written column by column (<see cref="StateArrays.WriteColumns{T}"/>),
/// the layout the detectors used before their state was packed, so snapshots written then still read.
/// </summary>
internal interface IPackedKeyState
{
    /// <summary>Number of leading double fields; the count follows them.</summary>
    static abstract int DoubleFields { get; }
}
