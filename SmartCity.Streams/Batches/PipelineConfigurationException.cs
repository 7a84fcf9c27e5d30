namespace SmartCity.Streams.Batches;

/// <summary>
/// A pipeline, operator or source was configured in a way that cannot work. Thrown by <c>Build()</c> and by
/// operator definitions, before any data flows. The message says what is wrong and how to fix it.
/// </summary>
public class PipelineConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PipelineConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PipelineConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PipelineConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
