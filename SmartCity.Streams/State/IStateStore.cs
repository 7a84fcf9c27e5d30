namespace SmartCity.Streams.State;

/// <summary>Durable storage of checkpoints, latest one per name.</summary>
/// <remarks>
/// A store must make <see cref="SaveAsync"/> atomic: after a crash at any point, <see cref="LoadLatestAsync"/>
/// returns either the previous checkpoint or the new one, never a mix. A checkpoint that cannot be read (corrupt,
/// truncated, written by an incompatible version) is an error (<see cref="InvalidDataException"/>), never a
/// silent fresh start.
/// </remarks>
public interface IStateStore
{
    /// <summary>Stores <paramref name="checkpoint"/> as the latest one of its name.</summary>
    ValueTask SaveAsync(Checkpoint checkpoint, CancellationToken cancellationToken = default);

    /// <summary>The latest checkpoint stored under <paramref name="name"/>, or null if there is none.</summary>
    /// <exception cref="InvalidDataException">The stored checkpoint is corrupt or incompatible.</exception>
    ValueTask<Checkpoint?> LoadLatestAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The names that have a checkpoint.</summary>
    ValueTask<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default);
}
