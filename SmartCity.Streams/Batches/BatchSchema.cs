using System.Collections.ObjectModel;
using System.Text;

namespace SmartCity.Streams.Batches;

/// <summary>
/// The columns a <see cref="StreamBatch"/> carries besides its implicit key and event-time columns.
/// Immutable; operators resolve names to ordinals once, when the pipeline is built.
/// </summary>
public sealed class BatchSchema
{
    private readonly ColumnInfo[] _columns;

    /// <summary>Creates a schema from a list of columns with unique names.</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public BatchSchema(IEnumerable<ColumnInfo> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = [.. columns];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in _columns)
        {
            if (string.IsNullOrWhiteSpace(column.Name))
            {
                throw new ArgumentException("A column name must not be empty.", nameof(columns));
            }

            if (!seen.Add(column.Name))
            {
                throw new ArgumentException($"Column '{column.Name}' appears twice; column names must be unique.", nameof(columns));
            }
        }

        Columns = new ReadOnlyCollection<ColumnInfo>(_columns);
    }

    /// <summary>The value columns, in ordinal order.</summary>
    public IReadOnlyList<ColumnInfo> Columns { get; }

    /// <summary>Number of value columns.</summary>
    public int Count => _columns.Length;

    /// <summary>Returns the ordinal of a column, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            if (string.Equals(_columns[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Returns the ordinal of a column that an operator needs, checking its type.
    /// </summary>
    /// <param name="name">Column name.</param>
    /// <param name="type">Type the operator reads.</param>
    /// <param name="operatorName">The operator asking, named in the error.</param>
    /// <exception cref="PipelineConfigurationException">The column is missing or has another type.</exception>
    public int Require(string name, ColumnType type, string operatorName)
    {
        var index = IndexOf(name);
        if (index < 0)
        {
            throw new PipelineConfigurationException(
                $"Operator '{operatorName}' reads column '{name}', but its input has no such column. Available columns: {Describe()}. " +
                "Declare the column as a measure of the input, or put the operator that derives it earlier in the pipeline.");
        }

        if (_columns[index].Type != type)
        {
            throw new PipelineConfigurationException(
                $"Operator '{operatorName}' reads column '{name}' as {type}, but the column is {_columns[index].Type}. Available columns: {Describe()}.");
        }

        return index;
    }

    /// <summary>Returns a new schema with one more column at the end.</summary>
    public BatchSchema Append(ColumnInfo column)
    {
        var list = new List<ColumnInfo>(_columns) { column };
        return new BatchSchema(list);
    }

    /// <summary>Lists the columns as "name:type" pairs for messages.</summary>
    public string Describe()
    {
        if (_columns.Length == 0)
        {
            return "(none)";
        }

        var text = new StringBuilder();
        foreach (var column in _columns)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(column.Name).Append(':').Append(column.Type);
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Describe();
}
