namespace CityPulse;

/// <summary>
/// Time series of a few sensors, filled from several lanes at once. Only the sensors asked for are kept, so memory is
/// bounded by the plot, not by the city.
/// </summary>
internal sealed class SeriesCapture
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, List<(long Time, double Value)>> _series = [];

    public SeriesCapture(IEnumerable<long> sensors)
    {
        foreach (var sensor in sensors)
        {
            _series[sensor] = [];
        }
    }

    public bool Contains(long sensor) => _series.ContainsKey(sensor);

    public void Add(ReadOnlySpan<(long Sensor, long Time, double Value)> points)
    {
        lock (_gate)
        {
            foreach (var (sensor, time, value) in points)
            {
                _series[sensor].Add((time, value));
            }
        }
    }

    /// <summary>The points of a sensor in time order (lanes and batches may interleave them).</summary>
    public (long Time, double Value)[] Get(long sensor)
    {
        lock (_gate)
        {
            var points = _series.TryGetValue(sensor, out var list) ? list.ToArray() : [];
            Array.Sort(points, (a, b) => a.Time.CompareTo(b.Time));
            return points;
        }
    }
}
