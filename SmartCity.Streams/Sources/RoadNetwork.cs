namespace SmartCity.Streams.Sources;

/// <summary>
/// The synthetic city's road graph: sensors in corridors (chains in the direction of travel), the end of each
/// corridor feeding the start of the next. Sensor ids are 0..Count-1.
/// </summary>
public sealed class RoadNetwork
{
    private readonly int _perCorridor;

    internal RoadNetwork(int sensors, int perCorridor)
    {
        Count = sensors;
        _perCorridor = perCorridor;
    }

    /// <summary>Number of sensors.</summary>
    public int Count { get; }

    /// <summary>Number of corridors.</summary>
    public int Corridors => (Count + _perCorridor - 1) / _perCorridor;

    /// <summary>The corridor of a sensor.</summary>
    public int CorridorOf(long sensor) => (int)(sensor / _perCorridor);

    /// <summary>The next sensor in the direction of travel (the following corridor's first sensor at a corridor's end), or -1.</summary>
    public long Downstream(long sensor)
    {
        Check(sensor);
        var next = sensor + 1;
        if (next % _perCorridor != 0 && next < Count)
        {
            return next;
        }

        // Corridor end: traffic continues onto the next corridor (the last one loops to the first).
        var corridor = CorridorOf(sensor);
        var first = (long)((corridor + 1) % Corridors) * _perCorridor;
        return first == CorridorStart(corridor) ? -1 : first;
    }

    /// <summary>The previous sensor in the direction of travel, within the same corridor, or -1 at a corridor start.</summary>
    public long Upstream(long sensor)
    {
        Check(sensor);
        return sensor % _perCorridor == 0 ? -1 : sensor - 1;
    }

    /// <summary>Sensors adjacent to <paramref name="sensor"/> in either direction (including across corridor junctions).</summary>
    public IReadOnlyList<long> Neighbours(long sensor)
    {
        var result = new List<long>(3);
        var up = Upstream(sensor);
        if (up >= 0)
        {
            result.Add(up);
        }

        var down = Downstream(sensor);
        if (down >= 0 && down != sensor)
        {
            result.Add(down);
        }

        // A corridor's first sensor is fed by the previous corridor's last one.
        if (sensor % _perCorridor == 0)
        {
            for (var c = 0; c < Corridors; c++)
            {
                var last = Math.Min(((long)(c + 1) * _perCorridor) - 1, Count - 1);
                if (last != sensor && Downstream(last) == sensor && !result.Contains(last))
                {
                    result.Add(last);
                }
            }
        }

        return result;
    }

    private long CorridorStart(int corridor) => (long)corridor * _perCorridor;

    private void Check(long sensor) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((ulong)sensor, (ulong)Count, nameof(sensor));
}
