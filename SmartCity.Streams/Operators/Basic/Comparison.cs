namespace SmartCity.Streams.Operators.Basic;

/// <summary>How a filter compares a measure with its constant. NaN never matches.</summary>
public enum Comparison
{
    /// <summary>value &gt; constant.</summary>
    GreaterThan,

    /// <summary>value &gt;= constant.</summary>
    GreaterThanOrEqual,

    /// <summary>value &lt; constant.</summary>
    LessThan,

    /// <summary>value &lt;= constant.</summary>
    LessThanOrEqual,

    /// <summary>value == constant.</summary>
    Equal,

    /// <summary>value != constant (and not NaN).</summary>
    NotEqual,
}
