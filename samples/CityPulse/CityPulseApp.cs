using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Anomaly;
using SmartCity.Streams.Operators.Forecasting;
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
        SyntheticCityOptions? cityOptions = null;
        BatchSource source;
        long? total = null;
        var reportFrom = long.MinValue;
        if (settings.Input is { } file)
        {
            source = OpenInput(file, settings);
            log.WriteLine($"input: {file.FullName}");
        }
        else
        {
            var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
            cityOptions = new SyntheticCityOptions
            {
                Sensors = settings.Sensors,
                Start = start,
                Duration = TimeSpan.FromDays(settings.HistoryDays + settings.Days),
                Interval = TimeSpan.FromSeconds(settings.IntervalSeconds),
                Seed = settings.Seed,
                Partitions = settings.Lanes,
            };
            city = new SyntheticCitySource(cityOptions);
            total = (long)settings.Sensors * (long)(TimeSpan.FromDays(settings.HistoryDays + settings.Days) / TimeSpan.FromSeconds(settings.IntervalSeconds));
            reportFrom = EventTime.FromDateTimeOffset(start.AddDays(settings.HistoryDays));
            source = city;
            log.WriteLine($"synthetic city: {settings.Sensors:N0} sensors, {settings.HistoryDays:0.##} day(s) of history then {settings.Days:0.##} reported day(s), " +
                $"one reading every {settings.IntervalSeconds} s ({total:N0} rows), seed {settings.Seed}");
        }

        var events = new CollectingEventSink();
        var horizon = 6; // 6 x 5 min: congestion up to half an hour ahead
        var eventsCsv = Path.Combine(settings.Output.FullName, "events.csv");
        var eventsArrow = Path.Combine(settings.Output.FullName, "events.arrows");
        using var csv = new CsvEventSink(new StreamWriter(eventsCsv));
        using var ipc = ArrowIpcEventSink.Create(eventsArrow);
        // The plotted sensor: where the first incident of the reported period starts (a busy one without incidents).
        var plotted = city?.Incidents.Where(i => i.Start >= reportFrom).OrderBy(i => i.Start).Select(i => i.Sensor).DefaultIfEmpty(0).First() ?? 0;
        var forecasts = new ForecastCapture(plotted, horizon, reportFrom);
        var pipeline = StreamPipeline.Create(settings.KeyColumn, settings.TimeColumn, settings.ValueColumn)
            .WithName("citypulse")
            .WithOutOfOrderness(TimeSpan.FromMinutes(1))
            // Sensor faults first (stuck, silent, impossible values), then the anomaly ensemble per sensor: a sudden
            // slowdown is an incident. Events start after a day of history per sensor (AnomalyScoreOptions.EventWarmUp).
            .Then(new SensorFaultOperator("sensor-faults", settings.ValueColumn, new SensorFaultOptions { Minimum = 0, Maximum = 160 }))
            .Then(new AnomalyScoreOperator("sudden-slowdown", settings.ValueColumn, options: IncidentOptions(settings.IncidentSustainMinutes)))
            // Then forecast each sensor's speed in 5-minute steps, up to half an hour ahead, and raise congestion-ahead
            // risks (and recovery opportunities) from the forecasts.
            .Then(new ForecastOperator("speed-forecast", settings.ValueColumn, new ForecasterOptions { Step = TimeSpan.FromMinutes(5), Horizon = horizon }))
            .Then(new ForecastRuleOperator("congestion-ahead", ForecastRuleOptions.Congestion(settings.CongestionSpeed)))
            .SendEventsTo(events)
            .SendEventsTo(csv)
            .SendEventsTo(ipc)
            .SendBatchesTo(forecasts)
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
        var reported = events.Events.Where(e => e.DetectionTime >= reportFrom).ToList();
        log.WriteLine($"  events                  {statistics.EventsOut,12:N0}" + (reportFrom == long.MinValue ? string.Empty : $"   ({reported.Count:N0} in the reported period)"));
        foreach (var group in reported.GroupBy(e => (e.Kind, e.Category, e.Phase)).OrderBy(g => g.Key))
        {
            log.WriteLine($"    {group.Key.Kind,-11} {group.Key.Category,-16} {group.Key.Phase,-8} {group.Count(),8:N0}");
        }

        var pictures = new List<string>();
        if (city is not null && cityOptions is not null)
        {
            GroundTruthReport.Write(reported, city, reportFrom, EventTime.FromTimeSpan(TimeSpan.FromMinutes(5 * horizon)), log);
            log.WriteLine();
            pictures.AddRange(await WindowsAndPlotsAsync(settings, cityOptions, city, reported, forecasts, reportFrom, total ?? 0, log, cancellationToken));
        }

        log.WriteLine();
        log.WriteLine("outputs");
        foreach (var picture in pictures)
        {
            log.WriteLine($"  {picture}");
        }

        log.WriteLine($"  {eventsCsv}");
        log.WriteLine($"  {eventsArrow}");
        return 0;
    }

    private static async Task<List<string>> WindowsAndPlotsAsync(CityPulseSettings settings, SyntheticCityOptions options, SyntheticCitySource city,
        IReadOnlyList<CityEvent> reported, ForecastCapture forecasts, long reportFrom, long total, TextWriter log, CancellationToken cancellationToken)
    {
        var reportTo = reportFrom + EventTime.FromTimeSpan(TimeSpan.FromDays(settings.Days));
        var slots = (int)Math.Ceiling(TimeSpan.FromDays(settings.Days) / WindowPass.Slot);
        var (cells, minutes) = await WindowPass.RunAsync(options, settings.ValueColumn, reportFrom, slots, [forecasts.Sensor], settings.Lanes, total, log, cancellationToken);

        var perCorridor = options.SensorsPerCorridor;
        var corridor = city.Network.CorridorOf(forecasts.Sensor);
        TravelTimes.Write(cells, city.Network, perCorridor, corridor, log);

        var corridorPng = Path.Combine(settings.Output.FullName, "corridor-speed.png");
        CorridorPlot.Save(corridorPng, forecasts.Sensor, corridor, minutes.Get(forecasts.Sensor), forecasts, reported, city.Incidents, reportFrom, reportTo);

        // Ten corridors around the plotted one: a few hundred rows stay readable, the whole city would be a blur.
        var firstCorridor = Math.Clamp(corridor - 4, 0, Math.Max(0, city.Network.Corridors - 10));
        var shown = Enumerable.Range(firstCorridor, Math.Min(10, city.Network.Corridors - firstCorridor)).ToList();
        var heatmapPng = Path.Combine(settings.Output.FullName, "speed-heatmap.png");
        SpeedHeatmap.Save(heatmapPng, cells, shown, perCorridor, corridor);
        return [corridorPng, heatmapPng];
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
                // A single-series file (NAB's timestamp,value layout) has no id column: the file name is the sensor.
                ConstantKey = HasColumn(file, settings.KeyColumn) ? null : Path.GetFileNameWithoutExtension(file.Name),
                KeyType = CsvKeyType.Dictionary,
                TimeColumn = settings.TimeColumn,
                MeasureColumns = [settings.ValueColumn],
                ErrorPolicy = CsvErrorPolicy.Skip,
            }),
            _ => throw new ArgumentException($"Unsupported input '{file.Name}': use an Arrow IPC file (.arrow), an Arrow IPC stream (.arrows) or CSV (.csv)."),
        };
    }

    private static bool HasColumn(FileInfo csv, string column)
    {
        using var reader = csv.OpenText();
        var header = reader.ReadLine() ?? string.Empty;
        return header.Split(',').Any(name => string.Equals(name.Trim().Trim('"'), column, StringComparison.Ordinal));
    }

    private static void Validate(CityPulseSettings settings)
    {
        if (settings.Sensors < 1 || settings.Days <= 0 || settings.IntervalSeconds < 1 || settings.Lanes < 1)
        {
            throw new ArgumentException("--sensors, --days, --interval-seconds and --lanes must be positive.");
        }

        if (!(settings.IncidentSustainMinutes >= 0 && settings.IncidentSustainMinutes <= 24 * 60))
        {
            throw new ArgumentException($"--incident-sustain must be between 0 and 1440 minutes, got {settings.IncidentSustainMinutes}.");
        }
    }

    /// <summary>The incident events: the library's defaults, optionally with a sustain time before opening.</summary>
    private static AnomalyScoreOptions IncidentOptions(double sustainMinutes)
    {
        var lifecycle = new AnomalyScoreOptions().Lifecycle with { OpenAfter = TimeSpan.FromMinutes(sustainMinutes) };
        return new AnomalyScoreOptions { Category = EventCategory.Incident, Lifecycle = lifecycle };
    }
}
