using System.Globalization;
using System.Text;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Testing;

/// <summary>Records every output row and event as text, so runs can be compared as multisets.</summary>
internal sealed class RecordingSink : IBatchSink, IEventSink
{
    private readonly StringBuilder _line = new();

    public List<string> Rows { get; } = [];

    public List<string> Events { get; } = [];

    public void OnBatch(StreamBatch batch)
    {
        var keys = batch.Keys;
        var times = batch.Times;
        for (var row = 0; row < batch.Length; row++)
        {
            _line.Clear();
            _line.Append(batch.KeyIndex[keys[row]]).Append('|').Append(times[row]);
            for (var c = 0; c < batch.Schema.Count; c++)
            {
                _line.Append('|').Append(batch.Schema.Columns[c].Name).Append('=');
                if (batch.Schema.Columns[c].Type == ColumnType.Float64)
                {
                    _line.Append(batch.GetDoubles(c)[row].ToString("R", CultureInfo.InvariantCulture));
                }
                else
                {
                    _line.Append(batch.GetInt64s(c)[row]);
                }
            }

            Rows.Add(_line.ToString());
        }
    }

    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        foreach (var e in events)
        {
            Events.Add(string.Create(CultureInfo.InvariantCulture,
                $"{e.Id:x16}|{e.Kind}|{e.Category}|{e.Phase}|{e.Sensor}|{e.EventTime}|{e.DetectionTime}|{e.Horizon}|{e.Score:R}|{e.Observed:R}|{e.Expected:R}|{e.Source}"));
        }
    }

    public void OnCompleted(Exception? error)
    {
    }

    public (List<string> Rows, List<string> Events) Sorted()
    {
        var rows = new List<string>(Rows);
        rows.Sort(StringComparer.Ordinal);
        var events = new List<string>(Events);
        events.Sort(StringComparer.Ordinal);
        return (rows, events);
    }
}
