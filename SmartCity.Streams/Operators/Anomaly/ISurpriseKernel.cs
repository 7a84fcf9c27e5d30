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

    void Write(BinaryWriter writer, int keyCount);

    void Read(BinaryReader reader, int keyCount);
}
