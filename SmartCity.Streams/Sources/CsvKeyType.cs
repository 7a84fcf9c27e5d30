namespace SmartCity.Streams.Sources;

/// <summary>How a CSV source types the sensor id column.</summary>
public enum CsvKeyType
{
    /// <summary>A 64-bit integer (Arrow Int64).</summary>
    Int64,

    /// <summary>A plain UTF-8 string (Arrow Utf8).</summary>
    String,

    /// <summary>A dictionary-encoded UTF-8 string (Arrow Dictionary&lt;Int32, Utf8&gt;): each batch carries its distinct ids once.</summary>
    Dictionary,
}
