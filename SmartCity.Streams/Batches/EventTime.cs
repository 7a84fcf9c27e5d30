namespace SmartCity.Streams.Batches;

/// <summary>
/// Conversions for the engine's canonical time: <see cref="long"/> microseconds since the Unix epoch (UTC).
/// </summary>
/// <remarks>
/// Microseconds keep sub-millisecond sensor clocks exact while still covering years far before 1970 and
/// far after 2262 (the limit of nanoseconds in an Int64), so every Arrow timestamp unit fits.
/// </remarks>
public static class EventTime
{
    /// <summary>Microseconds per millisecond.</summary>
    public const long MicrosPerMilli = 1_000;

    /// <summary>Microseconds per second.</summary>
    public const long MicrosPerSecond = 1_000_000;

    /// <summary>Microseconds per minute.</summary>
    public const long MicrosPerMinute = 60 * MicrosPerSecond;

    /// <summary>Microseconds per hour.</summary>
    public const long MicrosPerHour = 60 * MicrosPerMinute;

    /// <summary>Microseconds per day.</summary>
    public const long MicrosPerDay = 24 * MicrosPerHour;

    /// <summary>The smallest time the engine represents; used as "no watermark yet".</summary>
    public const long MinValue = long.MinValue;

    /// <summary>Converts a <see cref="DateTimeOffset"/> to microseconds since the epoch.</summary>
    public static long FromDateTimeOffset(DateTimeOffset value) =>
        (value.UtcTicks - DateTime.UnixEpoch.Ticks) / (TimeSpan.TicksPerMillisecond / MicrosPerMilli);

    /// <summary>Converts a <see cref="DateTime"/> (unspecified kinds are taken as UTC) to microseconds since the epoch.</summary>
    public static long FromDateTime(DateTime value) =>
        FromDateTimeOffset(value.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(value, TimeSpan.Zero)
            : new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero));

    /// <summary>Converts microseconds since the epoch to a UTC <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset ToDateTimeOffset(long micros) =>
        new(DateTime.UnixEpoch.Ticks + (micros * (TimeSpan.TicksPerMillisecond / MicrosPerMilli)), TimeSpan.Zero);

    /// <summary>Converts a duration to microseconds.</summary>
    public static long FromTimeSpan(TimeSpan value) => value.Ticks / (TimeSpan.TicksPerMillisecond / MicrosPerMilli);

    /// <summary>Converts microseconds to a duration.</summary>
    public static TimeSpan ToTimeSpan(long micros) => TimeSpan.FromTicks(micros * (TimeSpan.TicksPerMillisecond / MicrosPerMilli));

    /// <summary>Formats microseconds since the epoch as an ISO-8601 UTC string (for messages and logs).</summary>
    public static string Format(long micros) =>
        micros == MinValue ? "(none)" : ToDateTimeOffset(micros).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);
}
