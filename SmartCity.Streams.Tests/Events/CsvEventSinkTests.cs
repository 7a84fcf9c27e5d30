using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.Tests.Events;

public class CsvEventSinkTests
{
    [Fact]
    public void Writes_header_and_quoted_lines()
    {
        using var text = new StringWriter();
        using (var sink = new CsvEventSink(text, leaveOpen: true))
        {
            sink.OnEvents([new CityEvent(EventKind.Risk, EventCategory.Incident, EventPhase.Open, new SensorId("a,b"), 0, 1_000_000, 0, 0.5, 10, 50, "op")]);
            sink.OnCompleted(null);
        }

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("id,kind,category", lines[0], StringComparison.Ordinal);
        Assert.Contains(",Risk,Incident,Open,\"a,b\",1970-01-01T00:00:00.000000Z,1970-01-01T00:00:01.000000Z,0,0.5,10,50,op", lines[1], StringComparison.Ordinal);
    }
}
