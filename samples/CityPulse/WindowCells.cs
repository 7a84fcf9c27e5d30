using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Windowing;

namespace CityPulse;

/// <summary>
/// The 15-minute window means of every sensor over the reported period, as a sensor × slot grid: 96 doubles per
/// sensor and day, whatever the number of readings.
/// </summary>
internal sealed class WindowCells(string column, long from, long slot, int slots) : IBatchSink
{
    private readonly Dictionary<long, double[]> _cells = [];

    public long From => from;

    public long Slot => slot;

    public int Slots => slots;

    /// <summary>The cells of a sensor (NaN where it had no window), or null for a sensor never seen.</summary>
    public double[]? Get(long sensor) => _cells.GetValueOrDefault(sensor);

    public void OnBatch(StreamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var schema = batch.Schema;
        var starts = batch.GetInt64s(schema.IndexOf(WindowColumns.WindowStart));
        var updates = batch.GetInt64s(schema.IndexOf(WindowColumns.IsUpdate));
        var means = batch.GetDoubles(schema.IndexOf(column));
        var keys = batch.Keys;
        for (var i = 0; i < keys.Length; i++)
        {
            // Cascaded windows start 1 µs after the slot boundary (see WindowPass): floor division puts them in their slot.
            var index = starts[i] >= from ? (starts[i] - from) / slot : -1;
            if (index < 0 || index >= slots)
            {
                continue;
            }

            var sensor = batch.KeyIndex[keys[i]].Number;
            if (!_cells.TryGetValue(sensor, out var cells))
            {
                cells = new double[slots];
                Array.Fill(cells, double.NaN);
                _cells[sensor] = cells;
            }

            // A later result of the same window (an update) replaces the earlier one.
            if (updates[i] != 0 || double.IsNaN(cells[index]))
            {
                cells[index] = means[i];
            }
        }
    }

    public void OnCompleted(Exception? error)
    {
    }
}
