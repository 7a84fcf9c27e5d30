namespace SmartCity.Streams.Nats;

/// <summary>A message the source could not turn into a batch; it is skipped, counted and reported.</summary>
/// <param name="Subject">Subject it was read from.</param>
/// <param name="StreamSequence">Its sequence in the stream.</param>
/// <param name="Reason">Why it was rejected.</param>
/// <param name="Size">Payload size in bytes.</param>
public sealed record NatsDeadLetter(string Subject, ulong StreamSequence, string Reason, int Size);
