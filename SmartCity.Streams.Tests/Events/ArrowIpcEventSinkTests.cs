using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Tests.Events;

public class ArrowIpcEventSinkTests
{
    [Fact]
    public async Task Events_round_trip_through_the_log()
    {
        CityEvent[] events =
        [
            new(EventKind.Risk, EventCategory.Incident, EventPhase.Open, new SensorId(42), 1_000, 2_000, 0, 0.9, 12.5, 55.0, "incident"),
            new(EventKind.Opportunity, EventCategory.LowDemand, EventPhase.Resolve, new SensorId("north-7"), 3_000, 4_000, 900_000_000, 0.3, double.NaN, 1.0, "forecast"),
            new(EventKind.Risk, EventCategory.SensorFault, EventPhase.Update, new SensorId("42"), -5, 7, 0, 1, 0, double.NaN, string.Empty),
        ];
        using var stream = new MemoryStream();
        using (var sink = new ArrowIpcEventSink(stream, leaveOpen: true))
        {
            sink.OnEvents(events.AsSpan(0, 2));
            sink.OnEvents(events.AsSpan(2));
            sink.OnCompleted(null);
            Assert.Equal(3, sink.EventsWritten);
        }

        stream.Position = 0;
        var read = await ArrowIpcEventLog.ReadAllAsync(stream);
        Assert.Equal(events, read);
        Assert.Equal(events.Select(e => e.Id), read.Select(e => e.Id));
        Assert.False(read[0].Sensor.IsString);
        Assert.True(read[2].Sensor.IsString);

        // The log is a valid Arrow IPC stream any reader (and our own source) can consume.
        stream.Position = 0;
        using var source = new ArrowIpcStreamSource(stream, "events.arrows", leaveOpen: true);
        Assert.Equal("detection_time", source.Schema!.GetFieldByIndex(6).Name);
    }

    [Fact]
    public async Task Log_file_written_from_a_pipeline_run()
    {
        var dir = Path.Combine(Path.GetTempPath(), "scs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "events.arrows");
            using (var sink = ArrowIpcEventSink.Create(path))
            {
                var pipeline = Streams.Pipeline.StreamPipeline.Create("sensor", "time", "speed").SendEventsTo(sink).Build();
                using var city = new SyntheticCitySource(new SyntheticCityOptions { Sensors = 20, Duration = TimeSpan.FromHours(2) });
                await pipeline.RunAsync(city);
            }

            Assert.Empty(await ArrowIpcEventLog.ReadFileAsync(path)); // no operator emits here; the log is still well-formed
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
