using SmartCity.Streams.Pipeline;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>Fluent shortcuts that append a <see cref="WindowOperator"/> to a pipeline.</summary>
public static class WindowExtensions
{
    /// <summary>Appends a window of any kind.</summary>
    public static PipelineBuilder Window(this PipelineBuilder builder, WindowSpec spec, WindowOptions? options, params WindowMeasure[] measures)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(spec);
        return builder.Then(new WindowOperator(options?.Name ?? spec.Describe(), spec, measures, options));
    }

    /// <summary>Appends tumbling windows of <paramref name="size"/> (aligned to the epoch).</summary>
    public static PipelineBuilder TumblingWindow(this PipelineBuilder builder, TimeSpan size, params WindowMeasure[] measures) =>
        builder.Window(WindowSpec.Tumbling(size), null, measures);

    /// <summary>Appends tumbling windows of <paramref name="size"/> with options.</summary>
    public static PipelineBuilder TumblingWindow(this PipelineBuilder builder, TimeSpan size, WindowOptions options, params WindowMeasure[] measures) =>
        builder.Window(WindowSpec.Tumbling(size), options, measures);

    /// <summary>Appends hopping windows of <paramref name="size"/> starting every <paramref name="hop"/>.</summary>
    public static PipelineBuilder HoppingWindow(this PipelineBuilder builder, TimeSpan size, TimeSpan hop, params WindowMeasure[] measures) =>
        builder.Window(WindowSpec.Hopping(size, hop), null, measures);

    /// <summary>Appends hopping windows with options.</summary>
    public static PipelineBuilder HoppingWindow(this PipelineBuilder builder, TimeSpan size, TimeSpan hop, WindowOptions options, params WindowMeasure[] measures) =>
        builder.Window(WindowSpec.Hopping(size, hop), options, measures);

    /// <summary>Appends per-sensor session windows closed by a silence of <paramref name="gap"/>.</summary>
    public static PipelineBuilder SessionWindow(this PipelineBuilder builder, TimeSpan gap, params WindowMeasure[] measures) =>
        builder.Window(WindowSpec.Session(gap), null, measures);

    /// <summary>Appends session windows with options.</summary>
    public static PipelineBuilder SessionWindow(this PipelineBuilder builder, TimeSpan gap, WindowOptions options, params WindowMeasure[] measures) =>
        builder.Window(WindowSpec.Session(gap), options, measures);

    /// <summary>Appends a running aggregate per sensor, emitted each time the watermark advances.</summary>
    public static PipelineBuilder GlobalAggregate(this PipelineBuilder builder, params WindowMeasure[] measures) =>
        builder.Window(WindowSpec.Global(), null, measures);
}
