namespace SmartCity.Streams.Sources;

/// <summary>How a CSV time column is written. Times without an offset are taken as UTC.</summary>
public enum CsvTimeFormat
{
    /// <summary>ISO-8601, for example <c>2024-03-04T08:15:00Z</c>, <c>2024-03-04 08:15:00.250</c> or <c>2024-03-04T09:15:00+01:00</c>.</summary>
    Iso8601,

    /// <summary>A custom <see cref="DateTime"/> format string (<see cref="CsvSourceOptions.TimeFormatString"/>), invariant culture.</summary>
    Custom,

    /// <summary>Seconds since the Unix epoch, integer or decimal.</summary>
    EpochSeconds,

    /// <summary>Milliseconds since the Unix epoch, integer or decimal.</summary>
    EpochMilliseconds,
}
