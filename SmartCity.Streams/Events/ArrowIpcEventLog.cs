using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Events;

/// <summary>
/// The Arrow IPC event log format written by <see cref="ArrowIpcEventSink"/>, and a reader that turns a log back
/// into <see cref="CityEvent"/>s. Columns: id (UInt64), kind, category, phase, sensor (Utf8), event_time,
/// detection_time (Timestamp µs UTC), horizon_us (Int64), score, observed, expected (Double), source (Utf8),
/// sensor_is_name (Boolean: the sensor id is a string, not a number).
/// </summary>
public static class ArrowIpcEventLog
{
    private static readonly TimestampType Micros = new(TimeUnit.Microsecond, "UTC");

    /// <summary>The schema of an event log.</summary>
    public static Schema Schema { get; } = new Schema.Builder()
        .Field(f => f.Name("id").DataType(UInt64Type.Default).Nullable(false))
        .Field(f => f.Name("kind").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("category").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("phase").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("sensor").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("event_time").DataType(Micros).Nullable(false))
        .Field(f => f.Name("detection_time").DataType(Micros).Nullable(false))
        .Field(f => f.Name("horizon_us").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("score").DataType(DoubleType.Default).Nullable(false))
        .Field(f => f.Name("observed").DataType(DoubleType.Default).Nullable(false))
        .Field(f => f.Name("expected").DataType(DoubleType.Default).Nullable(false))
        .Field(f => f.Name("source").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("sensor_is_name").DataType(BooleanType.Default).Nullable(false))
        .Build();

    /// <summary>Builds one record batch of events.</summary>
    public static RecordBatch ToRecordBatch(ReadOnlySpan<CityEvent> events)
    {
        var id = new UInt64Array.Builder().Reserve(events.Length);
        var kind = new StringArray.Builder();
        var category = new StringArray.Builder();
        var phase = new StringArray.Builder();
        var sensor = new StringArray.Builder();
        var eventTime = new Int64Array.Builder().Reserve(events.Length);
        var detection = new Int64Array.Builder().Reserve(events.Length);
        var horizon = new Int64Array.Builder().Reserve(events.Length);
        var score = new DoubleArray.Builder().Reserve(events.Length);
        var observed = new DoubleArray.Builder().Reserve(events.Length);
        var expected = new DoubleArray.Builder().Reserve(events.Length);
        var source = new StringArray.Builder();
        var isName = new BooleanArray.Builder().Reserve(events.Length);
        foreach (ref readonly var e in events)
        {
            id.Append(e.Id);
            kind.Append(e.Kind.ToString());
            category.Append(e.Category.ToString());
            phase.Append(e.Phase.ToString());
            sensor.Append(e.Sensor.ToString());
            eventTime.Append(e.EventTime);
            detection.Append(e.DetectionTime);
            horizon.Append(e.Horizon);
            score.Append(e.Score);
            observed.Append(e.Observed);
            expected.Append(e.Expected);
            source.Append(e.Source);
            isName.Append(e.Sensor.IsString);
        }

        return new RecordBatch(Schema,
        [
            id.Build(), kind.Build(), category.Build(), phase.Build(), sensor.Build(),
            AsTimestamps(eventTime.Build()), AsTimestamps(detection.Build()), horizon.Build(),
            score.Build(), observed.Build(), expected.Build(), source.Build(), isName.Build(),
        ], events.Length);
    }

    /// <summary>Reads every event of a log written by <see cref="ArrowIpcEventSink"/>.</summary>
    public static async Task<List<CityEvent>> ReadAllAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var events = new List<CityEvent>();
        using var reader = new ArrowStreamReader(stream, leaveOpen: true);
        while (await reader.ReadNextRecordBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
        {
            using (batch)
            {
                AddEvents(batch, events);
            }
        }

        return events;
    }

    /// <summary>Reads every event of a log file.</summary>
    public static async Task<List<CityEvent>> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            return await ReadAllAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddEvents(RecordBatch batch, List<CityEvent> events)
    {
        var kind = (StringArray)batch.Column("kind");
        var category = (StringArray)batch.Column("category");
        var phase = (StringArray)batch.Column("phase");
        var sensor = (StringArray)batch.Column("sensor");
        var eventTime = (TimestampArray)batch.Column("event_time");
        var detection = (TimestampArray)batch.Column("detection_time");
        var horizon = (Int64Array)batch.Column("horizon_us");
        var score = (DoubleArray)batch.Column("score");
        var observed = (DoubleArray)batch.Column("observed");
        var expected = (DoubleArray)batch.Column("expected");
        var source = (StringArray)batch.Column("source");
        var isName = (BooleanArray)batch.Column("sensor_is_name");
        for (var i = 0; i < batch.Length; i++)
        {
            var name = sensor.GetString(i);
            var id = isName.GetValue(i) == true ? new SensorId(name) : new SensorId(long.Parse(name, System.Globalization.CultureInfo.InvariantCulture));
            events.Add(new CityEvent(
                Enum.Parse<EventKind>(kind.GetString(i)), Enum.Parse<EventCategory>(category.GetString(i)), Enum.Parse<EventPhase>(phase.GetString(i)),
                id, eventTime.Values[i], detection.Values[i], horizon.Values[i], score.Values[i], observed.Values[i], expected.Values[i], source.GetString(i)));
        }
    }

    private static TimestampArray AsTimestamps(Int64Array values) =>
        new(Micros, values.ValueBuffer, ArrowBuffer.Empty, values.Length, 0, 0);
}
