using System.Globalization;
using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Events;

/// <summary>
/// Writes events as CSV lines (header first; invariant culture; times as ISO-8601 UTC), with the same columns as
/// the Arrow event log. For people and spreadsheets; use <see cref="ArrowIpcEventSink"/> for machines.
/// </summary>
public sealed class CsvEventSink : IEventSink, IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _leaveOpen;

    /// <summary>Writes to <paramref name="writer"/>.</summary>
    public CsvEventSink(TextWriter writer, bool leaveOpen = false)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _leaveOpen = leaveOpen;
        _writer.WriteLine("id,kind,category,phase,sensor,event_time,detection_time,horizon_us,score,observed,expected,source");
    }

    /// <inheritdoc />
    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        foreach (ref readonly var e in events)
        {
            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.Id},{e.Kind},{e.Category},{e.Phase},{Quote(e.Sensor.ToString())},{EventTime.Format(e.EventTime)},{EventTime.Format(e.DetectionTime)},{e.Horizon},{e.Score:R},{e.Observed:R},{e.Expected:R},{Quote(e.Source)}"));
        }
    }

    /// <inheritdoc />
    public void OnCompleted(Exception? error) => _writer.Flush();

    /// <inheritdoc />
    public void Dispose()
    {
        _writer.Flush();
        if (!_leaveOpen)
        {
            _writer.Dispose();
        }
    }

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
