namespace SmartCity.Streams.Batches;

/// <summary>
/// An Arrow record batch does not have a column the pipeline reads, or has it with an unsupported type.
/// </summary>
public sealed class SchemaMismatchException : PipelineConfigurationException
{
    /// <summary>Creates the exception.</summary>
    public SchemaMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SchemaMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SchemaMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one column.</summary>
    /// <param name="column">The column the pipeline reads.</param>
    /// <param name="role">What the column is used for (key, event time, measure).</param>
    /// <param name="found">The Arrow type found, or null when the column is missing.</param>
    /// <param name="expected">The types that would be accepted.</param>
    /// <param name="available">The columns the batch has, as "name:type".</param>
    public SchemaMismatchException(string column, string role, string? found, string expected, string available)
        : base(found is null
            ? $"The {role} column '{column}' is missing from the input. Expected a column of type {expected}. Available columns: {available}."
            : $"The {role} column '{column}' has type {found}, but {expected} was expected. Available columns: {available}.")
    {
        Column = column;
        Found = found;
        Expected = expected;
        Available = available;
    }

    /// <summary>The column at fault.</summary>
    public string? Column { get; }

    /// <summary>The Arrow type found, or null when the column is missing.</summary>
    public string? Found { get; }

    /// <summary>The accepted types.</summary>
    public string? Expected { get; }

    /// <summary>The columns the input has.</summary>
    public string? Available { get; }
}
