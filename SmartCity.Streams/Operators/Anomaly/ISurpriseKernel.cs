namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// The model half of a detector: per row, a raw surprise &gt;= 0 (how far the value is from what the key's own
/// history predicts, in that key's units of spread), or NaN for a missing value. Calibration is applied after.
/// </summary>
internal interface ISurpriseKernel
{
    string Name { get; }

    void Resize(int keyCount);

    void Reset();

    void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise);

    /// <summary>True when the kernel implements <see cref="SurpriseParts"/>: the surprise is a ratio, and the calibration
    /// divides it out eight or four rows at a time (the divider is the bottleneck of these kernels).</summary>
    bool SplitsSurprise => false;

    /// <summary>With <see cref="SplitsSurprise"/>: true when the kernel writes, instead of the spread, a variance v into the
    /// spread span and a level m into the level span of <see cref="SurpriseParts"/>, the spread being
    /// sqrt(v) + 1e-3 |m| + 1e-9 (the EWMA z-score), so that the square root runs vectorised too.</summary>
    bool SpreadFromVariance => false;

    /// <summary>Like <see cref="Surprise"/>, but writes the surprise as <paramref name="deviation"/> / <paramref name="spread"/>
    /// (deviation &gt;= 0 or NaN for a missing value, spread &gt; 0); the quotient is exactly what <see cref="Surprise"/> returns.</summary>
    void SurpriseParts(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> deviation, Span<double> spread, Span<double> level) =>
        throw new NotSupportedException();

    void Write(BinaryWriter writer, int keyCount);

    void Read(BinaryReader reader, int keyCount);
}
