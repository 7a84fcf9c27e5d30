using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Pipeline;

/// <summary>
/// Watermark = largest event time seen minus the allowed out-of-orderness, per source partition, then the
/// minimum over partitions. A partition silent for longer than the idle timeout (processing time) stops
/// holding the watermark back, so one dead feed does not stall every window. The watermark never moves back.
/// </summary>
internal sealed class WatermarkTracker
{
    private readonly long _outOfOrderness;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _clock;
    private readonly long _startedAt;
    private long[] _max = [];
    private long[] _lastActive = [];

    public WatermarkTracker(int partitions, TimeSpan outOfOrderness, TimeSpan idleTimeout, TimeProvider clock)
    {
        _outOfOrderness = EventTime.FromTimeSpan(outOfOrderness);
        _idleTimeout = idleTimeout;
        _clock = clock;
        _startedAt = clock.GetTimestamp();
        EnsurePartition(Math.Max(1, partitions) - 1);
    }

    public long Current { get; private set; } = EventTime.MinValue;

    public long MaxEventTime { get; private set; } = EventTime.MinValue;

    /// <summary>Records a batch of partition <paramref name="partition"/> whose newest row is <paramref name="maxTime"/> and returns the watermark.</summary>
    public long Observe(int partition, long maxTime)
    {
        EnsurePartition(partition);
        if (maxTime > _max[partition])
        {
            _max[partition] = maxTime;
        }

        if (maxTime > MaxEventTime)
        {
            MaxEventTime = maxTime;
        }

        _lastActive[partition] = _clock.GetTimestamp();
        return Recompute();
    }

    /// <summary>Re-evaluates idleness without new data (called on a timer by long-running sources).</summary>
    public long Recompute()
    {
        var now = _clock.GetTimestamp();
        var min = long.MaxValue;
        var anyActive = false;
        for (var p = 0; p < _max.Length; p++)
        {
            var idle = _clock.GetElapsedTime(_lastActive[p], now) > _idleTimeout;
            if (idle)
            {
                continue;
            }

            anyActive = true;
            var candidate = _max[p] == EventTime.MinValue ? EventTime.MinValue : _max[p] - _outOfOrderness;
            if (candidate < min)
            {
                min = candidate;
            }
        }

        if (!anyActive)
        {
            // Every partition is idle: the newest data seen is all there is.
            min = MaxEventTime == EventTime.MinValue ? EventTime.MinValue : MaxEventTime - _outOfOrderness;
        }

        if (min > Current)
        {
            Current = min;
        }

        return Current;
    }

    /// <summary>Forces the watermark forward (end of input, explicit application watermarks).</summary>
    public void AdvanceTo(long watermark)
    {
        if (watermark > Current)
        {
            Current = watermark;
        }
    }

    public void Restore(long watermark, long maxEventTime)
    {
        Current = watermark;
        MaxEventTime = maxEventTime;
        for (var p = 0; p < _max.Length; p++)
        {
            _max[p] = Math.Max(_max[p], maxEventTime == EventTime.MinValue ? EventTime.MinValue : watermark + _outOfOrderness);
        }
    }

    /// <summary>Writes the newest event time seen per partition (snapshot version 2), so a restored run computes the same watermarks.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(_max.Length);
        foreach (var max in _max)
        {
            writer.Write(max);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public void Load(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > 1 << 20)
        {
            throw new InvalidDataException($"The snapshot lists {count} source partitions; it is corrupt.");
        }

        if (count > 0)
        {
            EnsurePartition(count - 1);
        }

        for (var p = 0; p < count; p++)
        {
            _max[p] = reader.ReadInt64();
        }
    }

    private void EnsurePartition(int partition)
    {
        if (partition < _max.Length)
        {
            return;
        }

        var old = _max.Length;
        Array.Resize(ref _max, partition + 1);
        Array.Resize(ref _lastActive, partition + 1);
        for (var p = old; p <= partition; p++)
        {
            _max[p] = EventTime.MinValue;
            _lastActive[p] = _startedAt;
        }
    }
}
