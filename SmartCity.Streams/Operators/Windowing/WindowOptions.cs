using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>Options shared by every window kind.</summary>
public sealed record WindowOptions
{
    /// <summary>Operator name (unique in the pipeline). Default: derived from the window kind and size.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// How long after a window fired (watermark past its end) rows for it are still accepted. Such a row
    /// updates the window and the operator emits the new result with <c>is_update</c> = true. Rows later than
    /// this go to the late-data output. Default 0.
    /// </summary>
    public TimeSpan AllowedLateness { get; init; }

    /// <summary>
    /// When positive, a window also emits a speculative (early) result each time it has received this many
    /// more rows, before the watermark reaches its end. Tumbling and session windows only. Default 0 (off).
    /// </summary>
    public int EarlyResultEveryRows { get; init; }

    /// <summary>
    /// When set, a processing-time trigger: once at least this much time has passed on the pipeline's clock
    /// (<c>PipelineBuilder.WithTimeProvider</c>) since the operator's previous early pass, every window that
    /// has not fired and received rows since its last result emits a speculative result; later results of
    /// the same window then have <c>is_update</c> = true, and the final result still comes at the watermark.
    /// The clock is checked when a batch or a watermark reaches the operator, so on an idle stream the pass
    /// runs with the next batch. Every window kind; combines with <see cref="EarlyResultEveryRows"/>.
    /// Must be positive. Default null (off).
    /// </summary>
    public TimeSpan? EarlyResultEvery { get; init; }

    /// <summary>Relative accuracy α of the quantile sketch, in (0, 0.5). Default 0.01 (1 %).</summary>
    public double SketchRelativeAccuracy { get; init; } = 0.01;

    /// <summary>
    /// Buckets per sign of each quantile sketch (fixed memory: 8 bytes per bucket per sketch). The sketch is
    /// exact to <see cref="SketchRelativeAccuracy"/> over a range of magnitudes of
    /// ((1+α)/(1−α))^buckets (about 167× at the defaults); smaller magnitudes are collapsed. Default 256.
    /// </summary>
    public int SketchBucketCount { get; init; } = 256;

    internal void Validate(string name, WindowKind kind)
    {
        if (AllowedLateness < TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"Window '{name}': AllowedLateness must not be negative, got {AllowedLateness}.");
        }

        if (EarlyResultEveryRows < 0)
        {
            throw new PipelineConfigurationException($"Window '{name}': EarlyResultEveryRows must not be negative, got {EarlyResultEveryRows}.");
        }

        if (EarlyResultEvery is { } every && every <= TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"Window '{name}': EarlyResultEvery must be positive (or null for no processing-time trigger), got {every}.");
        }

        if (EarlyResultEveryRows > 0 && kind is WindowKind.Hopping or WindowKind.Global)
        {
            throw new PipelineConfigurationException($"Window '{name}': row-count early results are supported by tumbling and session windows only (a {kind} window was configured with EarlyResultEveryRows = {EarlyResultEveryRows}); the processing-time trigger EarlyResultEvery works for every kind.");
        }

        if (!(SketchRelativeAccuracy > 0 && SketchRelativeAccuracy < 0.5))
        {
            throw new PipelineConfigurationException($"Window '{name}': SketchRelativeAccuracy must be in (0, 0.5), got {SketchRelativeAccuracy}.");
        }

        if (SketchBucketCount is < 16 or > 65536)
        {
            throw new PipelineConfigurationException($"Window '{name}': SketchBucketCount must be in [16, 65536], got {SketchBucketCount}.");
        }
    }
}
