namespace SmartCity.Streams.Testing;

/// <summary>An operator broke one of the contract's rules; the message says which and shows the first difference.</summary>
public sealed class OperatorContractException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OperatorContractException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OperatorContractException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public OperatorContractException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
