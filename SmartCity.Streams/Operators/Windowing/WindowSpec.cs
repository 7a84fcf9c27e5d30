using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>The shape of a window in event time: kind, size, hop, offset or session gap (microseconds).</summary>
public sealed record WindowSpec
{
    private WindowSpec(WindowKind kind, long size, long hop, long offset, long gap)
    {
        Kind = kind;
        Size = size;
        Hop = hop;
        Offset = offset;
        Gap = gap;
    }

    /// <summary>The window kind.</summary>
    public WindowKind Kind { get; }

    /// <summary>Window length in microseconds (tumbling, hopping).</summary>
    public long Size { get; }

    /// <summary>Distance between window starts in microseconds (hopping; equals <see cref="Size"/> for tumbling).</summary>
    public long Hop { get; }

    /// <summary>Windows start at <c>Offset + n × Hop</c> microseconds since the epoch.</summary>
    public long Offset { get; }

    /// <summary>Inactivity gap that closes a session, in microseconds.</summary>
    public long Gap { get; }

    /// <summary>Non-overlapping windows of <paramref name="size"/> starting at <c>offset + n × size</c>.</summary>
    public static WindowSpec Tumbling(TimeSpan size, TimeSpan offset = default)
    {
        var s = EventTime.FromTimeSpan(size);
        return new WindowSpec(WindowKind.Tumbling, s, s, Normalise(EventTime.FromTimeSpan(offset), s), 0);
    }

    /// <summary>Windows of <paramref name="size"/> starting every <paramref name="hop"/> (at <c>offset + n × hop</c>).</summary>
    public static WindowSpec Hopping(TimeSpan size, TimeSpan hop, TimeSpan offset = default)
    {
        var h = EventTime.FromTimeSpan(hop);
        return new WindowSpec(WindowKind.Hopping, EventTime.FromTimeSpan(size), h, Normalise(EventTime.FromTimeSpan(offset), h), 0);
    }

    /// <summary>Per-sensor sessions: a session ends when the sensor is silent for <paramref name="gap"/>.</summary>
    public static WindowSpec Session(TimeSpan gap) => new(WindowKind.Session, 0, 0, 0, EventTime.FromTimeSpan(gap));

    /// <summary>One running aggregate per sensor over the whole stream.</summary>
    public static WindowSpec Global() => new(WindowKind.Global, 0, 0, 0, 0);

    /// <summary>A short description used in default operator names.</summary>
    public string Describe() => Kind switch
    {
        WindowKind.Tumbling => $"tumbling-{EventTime.ToTimeSpan(Size)}",
        WindowKind.Hopping => $"hopping-{EventTime.ToTimeSpan(Size)}-{EventTime.ToTimeSpan(Hop)}",
        WindowKind.Session => $"session-{EventTime.ToTimeSpan(Gap)}",
        _ => "global",
    };

    internal void Validate(string name)
    {
        const long Limit = 1L << 52;
        switch (Kind)
        {
            case WindowKind.Tumbling or WindowKind.Hopping:
                if (Size <= 0 || Hop <= 0 || Size > Limit || Hop > Limit)
                {
                    throw new PipelineConfigurationException($"Window '{name}': size and hop must be positive and at most 142 years (got size {Size} µs, hop {Hop} µs).");
                }

                if (Hop > Size)
                {
                    throw new PipelineConfigurationException($"Window '{name}': the hop ({EventTime.ToTimeSpan(Hop)}) is longer than the window ({EventTime.ToTimeSpan(Size)}); rows between windows would be lost. Use a hop no longer than the size.");
                }

                break;
            case WindowKind.Session:
                if (Gap <= 0 || Gap > Limit)
                {
                    throw new PipelineConfigurationException($"Window '{name}': the session gap must be positive and at most 142 years (got {Gap} µs).");
                }

                break;
        }
    }

    private static long Normalise(long offset, long period) => period <= 0 ? 0 : ((offset % period) + period) % period;
}
