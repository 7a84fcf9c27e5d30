using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Anomaly;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;

namespace CityPulse;

/// <summary>The sample: a city's readings through windows, detection and rules, with a summary at the end.</summary>
internal static class CityPulseApp
{
    public static async Task<int> RunAsync(CityPulseSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        Validate(settings);
        settings.Output.Create();
        SyntheticCitySource? city = null;
        BatchSource source;
        long? total = null;
        if (settings.Input is { } file)
        {
            source = OpenInput(file, settings);
            log.WriteLine($"input: {file.FullName}");
        }
        else
        {
            city = new SyntheticCitySource(new SyntheticCityOptions
            {
                Sensors = settings.Sensors,
                Duration = TimeSpan.FromDays(settings.Days),
                Interval = TimeSpan.FromSeconds(settings.IntervalSeconds),
                Seed = settings.Seed,
                Partitions = settings.Lanes,
            });
            total = (long)settings.Sensors * (long)(TimeSpan.FromDays(settings.Days) / TimeSpan.FromSeconds(settings.IntervalSeconds));
            source = city;
            log.WriteLine($"synthetic city: {settings.Sensors:N0} sensors, {settings.Days:0.##} day(s), one reading every {settings.IntervalSeconds} s ({total:N0} rows), seed {settings.Seed}");
        }

        var events = new CollectingEventSink();
        var eventsCsv = Path.Combine(settings.Output.FullName, "events.csv");
        var eventsArrow = Path.Combine(settings.Output.FullName, "events.arrows");
        using var csv = new CsvEventSink(new StreamWriter(eventsCsv));
        using var ipc = ArrowIpcEventSink.Create(eventsArrow);
        var pipeline = StreamPipeline.Create(settings.KeyColumn, settings.TimeColumn, settings.ValueColumn)
            .WithName("citypulse")
            .WithOutOfOrderness(TimeSpan.FromMinutes(1))
            // Sensor faults first (stuck, silent, impossible values), then the anomaly ensemble per sensor: a sudden
            // slowdown is an incident. Events start after a day of history per sensor (AnomalyScoreOptions.EventWarmUp).
            .Then(new SensorFaultOperator("sensor-faults", settings.ValueColumn, new SensorFaultOptions { Minimum = 0, Maximum = 160 }))
            .Then(new AnomalyScoreOperator("sudden-slowdown", settings.ValueColumn, options: new AnomalyScoreOptions { Category = EventCategory.Incident }))
            .SendEventsTo(events)
            .SendEventsTo(csv)
            .SendEventsTo(ipc)
            .Build();

        using var progress = new ProgressSource(source, total, log);
        log.WriteLine($"running on {settings.Lanes} lane(s)...");
        var statistics = await pipeline.RunAsync(progress, settings.Lanes, cancellationToken);
        progress.Report();
        log.WriteLine("progress: done");

        var seconds = progress.Elapsed.TotalSeconds;
        log.WriteLine();
        log.WriteLine("summary");
        log.WriteLine($"  rows processed          {statistics.RowsIn,12:N0}   ({statistics.RowsIn / seconds / 1e6:0.00} M rows/s end to end, {seconds:0.00} s)");
        log.WriteLine($"  rows rejected           {statistics.RowsRejected,12:N0}");
        log.WriteLine($"  values skipped          {statistics.ValuesSkipped,12:N0}");
        log.WriteLine($"  events                  {statistics.EventsOut,12:N0}");
        foreach (var group in events.Events.GroupBy(e => (e.Kind, e.Category, e.Phase)).OrderBy(g => g.Key))
        {
            log.WriteLine($"    {group.Key.Kind,-11} {group.Key.Category,-16} {group.Key.Phase,-8} {group.Count(),8:N0}");
        }

        if (city is not null)
        {
            GroundTruthReport.Write(events.Events, city, log);
        }

        log.WriteLine();
        log.WriteLine("outputs");
        log.WriteLine($"  {eventsCsv}");
        log.WriteLine($"  {eventsArrow}");
        return 0;
    }

    private static BatchSource OpenInput(FileInfo file, CityPulseSettings settings)
    {
        if (!file.Exists)
        {
            throw new FileNotFoundException($"The input file '{file.FullName}' does not exist.", file.FullName);
        }

        return file.Extension.ToUpperInvariant() switch
        {
            ".ARROW" or ".FEATHER" => new ArrowIpcFileSource(file.OpenRead(), file.FullName),
            ".ARROWS" or ".IPC" => new ArrowIpcStreamSource(file.OpenRead(), file.FullName),
            ".CSV" => CsvBatchSource.Open(file.FullName, new CsvSourceOptions
            {
                KeyColumn = settings.KeyColumn,
                KeyType = CsvKeyType.Dictionary,
                TimeColumn = settings.TimeColumn,
                MeasureColumns = [settings.ValueColumn],
                ErrorPolicy = CsvErrorPolicy.Skip,
            }),
            _ => throw new ArgumentException($"Unsupported input '{file.Name}': use an Arrow IPC file (.arrow), an Arrow IPC stream (.arrows) or CSV (.csv)."),
        };
    }

    private static void Validate(CityPulseSettings settings)
    {
        if (settings.Sensors < 1 || settings.Days <= 0 || settings.IntervalSeconds < 1 || settings.Lanes < 1)
        {
            throw new ArgumentException("--sensors, --days, --interval-seconds and --lanes must be positive.");
        }
    }
}
