namespace SmartCity.Streams.Pipeline;

/// <summary>
/// An operator failed while processing. The pipeline stops and reports which operator, lane and batch;
/// results emitted before the failing batch have already reached the sinks.
/// </summary>
public sealed class OperatorException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OperatorException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OperatorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public OperatorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a failing operator.</summary>
    public OperatorException(string operatorName, string phase, int lane, long batchSequence, Exception innerException)
        : base($"Operator '{operatorName}' failed in {phase} on lane {lane} at source batch #{batchSequence}: {innerException?.Message}", innerException)
    {
        OperatorName = operatorName;
        Lane = lane;
        BatchSequence = batchSequence;
    }

    /// <summary>The operator that failed.</summary>
    public string? OperatorName { get; }

    /// <summary>The lane it ran on.</summary>
    public int Lane { get; }

    /// <summary>The source batch being processed (0-based), or the last one before a watermark or completion.</summary>
    public long BatchSequence { get; }
}
