namespace SmartCity.Streams.Nats;

/// <summary>
/// A worker no longer holds its slot lease (another worker took it over after the lease went stale, or the holder
/// could not renew it within its time to live). The run stopped without committing a checkpoint or acknowledging
/// input: the slot's new holder resumes from the last checkpoint this holder committed.
/// </summary>
public sealed class NatsLeaseLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NatsLeaseLostException()
        : this("The slot lease was lost.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsLeaseLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that revealed the loss.</summary>
    public NatsLeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The slot that was lost (-1 if unknown).</summary>
    public int Slot { get; init; } = -1;
}
