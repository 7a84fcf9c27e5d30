namespace SmartCity.Streams.State;

/// <summary>
/// A consistent cut of a run: the pipeline snapshot (<see cref="Pipeline.PipelineRun.SaveState"/>) taken between
/// two batches, together with the source position of every partition up to which the snapshot has consumed.
/// </summary>
/// <remarks>Restoring the snapshot and resuming the source right after <see cref="Positions"/> continues the run as if it had never stopped.</remarks>
public sealed class Checkpoint
{
    /// <summary>Creates a checkpoint.</summary>
    /// <param name="name">Name it is stored under (usually the pipeline name, plus the worker's partition set).</param>
    /// <param name="sequence">1 for the first checkpoint of a name, then increasing.</param>
    /// <param name="createdAt">Wall-clock time it was taken (informational).</param>
    /// <param name="batches">Source batches covered since the very first start.</param>
    /// <param name="positions">Per source partition, the position of the last batch covered (-1: none).</param>
    /// <param name="pipelineState">The pipeline snapshot bytes.</param>
    public Checkpoint(string name, long sequence, DateTimeOffset createdAt, long batches, IReadOnlyList<long> positions, ReadOnlyMemory<byte> pipelineState)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(positions);
        Name = name;
        Sequence = sequence;
        CreatedAt = createdAt;
        Batches = batches;
        Positions = [.. positions];
        PipelineState = pipelineState;
    }

    /// <summary>Name it is stored under.</summary>
    public string Name { get; }

    /// <summary>Increasing number of this checkpoint under its name.</summary>
    public long Sequence { get; }

    /// <summary>Wall-clock time it was taken.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Source batches covered.</summary>
    public long Batches { get; }

    /// <summary>Per source partition, the position of the last batch covered (-1: nothing read yet).</summary>
    public IReadOnlyList<long> Positions { get; }

    /// <summary>The pipeline snapshot.</summary>
    public ReadOnlyMemory<byte> PipelineState { get; }
}
