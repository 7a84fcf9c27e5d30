using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Tests.TestSupport;

/// <summary>Copies every output row (all columns) for assertions.</summary>
internal sealed class CollectingBatchSink : IBatchSink
{
    private readonly Dictionary<string, List<double>> _doubles = [];
    private readonly Dictionary<string, List<long>> _longs = [];

    public List<int> Keys { get; } = [];

    public List<SensorId> Sensors { get; } = [];

    public List<long> Times { get; } = [];

    public bool Completed { get; private set; }

    public Exception? Error { get; private set; }

    public int Batches { get; private set; }

    public List<double> Values(string column) => _doubles.TryGetValue(column, out var list) ? list : [];

    public List<long> Longs(string column) => _longs.TryGetValue(column, out var list) ? list : [];

    public void OnBatch(StreamBatch batch)
    {
        Batches++;
        foreach (var k in batch.Keys)
        {
            Keys.Add(k);
            Sensors.Add(batch.KeyIndex[k]);
        }

        foreach (var t in batch.Times)
        {
            Times.Add(t);
        }

        for (var c = 0; c < batch.Schema.Count; c++)
        {
            var column = batch.Schema.Columns[c];
            if (column.Type == ColumnType.Float64)
            {
                if (!_doubles.TryGetValue(column.Name, out var list))
                {
                    _doubles[column.Name] = list = [];
                }

                foreach (var v in batch.GetDoubles(c))
                {
                    list.Add(v);
                }
            }
            else
            {
                if (!_longs.TryGetValue(column.Name, out var list))
                {
                    _longs[column.Name] = list = [];
                }

                foreach (var v in batch.GetInt64s(c))
                {
                    list.Add(v);
                }
            }
        }
    }

    public void OnCompleted(Exception? error)
    {
        Completed = true;
        Error = error;
    }
}
