using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// A per-sensor streaming anomaly detector: scores every row of a batch in [0, 1] in O(1) per row,
/// keeping its state in flat arrays indexed by a dense key 0..K-1 that grow when a new key appears.
/// </summary>
/// <remarks>
/// <para>Rows of one key must arrive in event-time order; rows of different keys may interleave freely.
/// Scoring the same rows split into batches of any size gives identical scores.</para>
/// <para>A <see cref="double.NaN"/> value is a missing reading: it scores 0 and leaves the state unchanged.
/// Infinite values are treated as missing as well.</para>
/// <para>Instances are not thread-safe: one instance belongs to one pipeline lane.</para>
/// </remarks>
public abstract class AnomalyDetector
{
    private const int SnapshotMagic = 0x414E4F4D; // "ANOM"

    /// <summary>Number of keys whose state is allocated (the largest key seen plus one).</summary>
    public int KeyCount { get; private set; }

    /// <summary>Short name of the detector (letters, digits and '-').</summary>
    public abstract string Name { get; }

    /// <summary>Version of the snapshot layout of this detector; bump when the state layout changes.</summary>
    protected virtual int StateVersion => 1;

    /// <summary>Scores a batch: <paramref name="scores"/>[i] receives the anomaly score of row i.</summary>
    /// <param name="keys">Dense sensor index per row (0..K-1).</param>
    /// <param name="timesMicros">Event time per row, microseconds since the Unix epoch.</param>
    /// <param name="values">Measured value per row; NaN means missing.</param>
    /// <param name="scores">Output, same length as the inputs; every score is in [0, 1] and never NaN.</param>
    public void Score(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> scores)
    {
        int n = keys.Length;
        if (timesMicros.Length != n || values.Length != n || scores.Length < n)
        {
            ThrowHelper.Argument(nameof(scores), "keys, timesMicros and values must have the same length and scores must be at least as long.");
        }

        if (n == 0)
        {
            return;
        }

        EnsureKeys(StateArrays.MaxKey(keys) + 1);
        ScoreCore(keys, timesMicros, values, scores[..n]);
    }

    /// <summary>Makes sure state exists for keys 0..<paramref name="keyCount"/>-1.</summary>
    public void EnsureKeys(int keyCount)
    {
        if (keyCount > KeyCount)
        {
            Resize(keyCount);
            KeyCount = keyCount;
        }
    }

    /// <summary>Writes the whole state (all keys) so that <see cref="Restore"/> resumes exactly here.</summary>
    public void Snapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(SnapshotMagic);
        writer.Write(Name);
        writer.Write(StateVersion);
        writer.Write(KeyCount);
        WriteState(writer, KeyCount);
    }

    /// <summary>Replaces the state with one written by <see cref="Snapshot"/> of a detector with the same options.</summary>
    public void Restore(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.ReadInt32() != SnapshotMagic)
        {
            ThrowHelper.InvalidOperation("Not an anomaly detector snapshot.");
        }

        string name = reader.ReadString();
        int version = reader.ReadInt32();
        if (name != Name || version != StateVersion)
        {
            ThrowHelper.InvalidOperation($"Snapshot of '{name}' v{version} cannot be restored into '{Name}' v{StateVersion}.");
        }

        int keyCount = reader.ReadInt32();
        if (keyCount < 0)
        {
            ThrowHelper.InvalidOperation("Corrupt snapshot: negative key count.");
        }

        Clear();
        EnsureKeys(keyCount);
        ReadState(reader, keyCount);
    }

    /// <summary>Scores a non-empty batch whose keys already have state.</summary>
    protected abstract void ScoreCore(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> scores);

    /// <summary>Grows every per-key array to <paramref name="keyCount"/>, initialising new keys as unseen.</summary>
    protected abstract void Resize(int keyCount);

    /// <summary>Resets every key to the unseen state.</summary>
    protected abstract void ResetState();

    /// <summary>Writes the per-key state of keys 0..<paramref name="keyCount"/>-1.</summary>
    protected abstract void WriteState(BinaryWriter writer, int keyCount);

    /// <summary>Reads what <see cref="WriteState"/> wrote.</summary>
    protected abstract void ReadState(BinaryReader reader, int keyCount);

    private void Clear()
    {
        ResetState();
    }
}
