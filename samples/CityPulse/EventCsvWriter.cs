using System.Globalization;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;

namespace CityPulse;

/// <summary>Writes events as CSV, one line each, as they arrive.</summary>
internal sealed class EventCsvWriter : IEventSink, IDisposable
{
    private readonly StreamWriter _writer;

    public EventCsvWriter(string path)
    {
        _writer = new StreamWriter(path);
        _writer.WriteLine("id,kind,category,phase,sensor,event_time,detection_time,horizon_s,score,observed,expected,source");
    }

    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        foreach (var e in events)
        {
            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.Id:x16},{e.Kind},{e.Category},{e.Phase},{e.Sensor},{EventTime.Format(e.EventTime)},{EventTime.Format(e.DetectionTime)},{e.Horizon / (double)EventTime.MicrosPerSecond},{e.Score:0.####},{e.Observed:0.###},{e.Expected:0.###},{e.Source}"));
        }
    }

    public void OnCompleted(Exception? error) => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}
