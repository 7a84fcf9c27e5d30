using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ForecastEval;
using SmartCity.Streams.Operators.Forecasting;

var input = new Option<FileInfo>("--input") { Description = "CSV file to replay", Required = true };
var step = new Option<string>("--step") { Description = "Step length, e.g. 5m, 30min, 1h, 00:05:00", Required = true };
var horizons = new Option<string>("--horizons") { Description = "Horizons in steps, e.g. 3,6,9,12; forecasts cover 1..max", Required = true };
var evalFrom = new Option<int>("--eval-from-row") { Description = "First target row (step index from the first step) that is scored", Required = true };
var wide = new Option<bool>("--wide") { Description = "One column per sensor, one row per step (optional leading timestamp column)" };
var start = new Option<string?>("--start") { Description = "Time of the first row of a wide file without timestamps (default 1970-01-01T00:00Z)" };
var longFormat = new Option<bool>("--long") { Description = "One reading per row" };
var timeColumn = new Option<string>("--time-column") { Description = "Time column of a long file", DefaultValueFactory = _ => "timestamp" };
var keyColumn = new Option<string?>("--key-column") { Description = "Key column of a long file (none = one series)" };
var valueColumn = new Option<string>("--value-column") { Description = "Value column of a long file", DefaultValueFactory = _ => "value" };
var adjacency = new Option<FileInfo?>("--adjacency") { Description = "Road graph: dense K x K matrix in the sensor order, or edge list from,to[,weight]" };
var models = new Option<string>("--models") { Description = "Comma list of persistence, seasonal-naive, historical-average, holt-winters, autoregressive, combined", DefaultValueFactory = _ => "all" };
var outOfOrder = new Option<string>("--out-of-order") { Description = "How far readings may arrive out of time order (e.g. 2m); the watermark trails the newest reading by this much", DefaultValueFactory = _ => "0s" };
var predictions = new Option<FileInfo>("--predictions") { Description = "Output CSV of every scored forecast", Required = true };
var report = new Option<FileInfo>("--report") { Description = "Output JSON report", Required = true };

var root = new RootCommand("Replays a CSV through SmartCity.Streams' online forecasters and scores every forecast whose target row is at or after --eval-from-row.")
{
    input, step, horizons, evalFrom, wide, start, longFormat, timeColumn, keyColumn, valueColumn, adjacency, models, outOfOrder, predictions, report,
};

root.SetAction(parse =>
{
    if (!Duration.TryParse(parse.GetValue(step)!, out TimeSpan stepLength))
    {
        Console.Error.WriteLine($"Cannot read --step '{parse.GetValue(step)}'.");
        return 2;
    }

    string[] horizonTexts = parse.GetValue(horizons)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    int[] hs = new int[horizonTexts.Length];
    for (int i = 0; i < hs.Length; i++)
    {
        hs[i] = int.TryParse(horizonTexts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int h) ? h : -1;
    }

    if (hs.Length == 0 || hs.Any(h => h < 1))
    {
        Console.Error.WriteLine("--horizons needs positive step counts.");
        return 2;
    }

    if (parse.GetValue(wide) == parse.GetValue(longFormat))
    {
        Console.Error.WriteLine("Give exactly one of --wide and --long.");
        return 2;
    }

    ForecastModels kinds;
    try
    {
        kinds = ParseModels(parse.GetValue(models)!);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }

    long stepMicros = stepLength.Ticks / TimeSpan.TicksPerMicrosecond;
    string path = parse.GetValue(input)!.FullName;
    var clock = Stopwatch.StartNew();
    Dataset data;
    if (parse.GetValue(wide))
    {
        string? startText = parse.GetValue(start);
        DateTime? first = startText is null ? null : DateTime.Parse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        data = Dataset.ReadWide(path, stepMicros, first);
    }
    else
    {
        data = Dataset.ReadLong(path, stepMicros, parse.GetValue(timeColumn)!, parse.GetValue(keyColumn), parse.GetValue(valueColumn)!);
    }

    RoadGraph? graph = parse.GetValue(adjacency) is { } adj ? Adjacency.Read(adj.FullName, data.KeyNames) : null;
    var evaluation = new Evaluation(data, new ForecasterOptions
    {
        Step = stepLength,
        Horizon = hs.Max(),
        Models = kinds,
        Graph = graph,
        InitialKeyCapacity = Math.Max(1, data.KeyCount),
    }, parse.GetValue(evalFrom));
    TimeSpan lateness = TimeSpan.Zero;
    string lateText = parse.GetValue(outOfOrder)!;
    if (lateText is not ("0" or "0s") && !Duration.TryParse(lateText, out lateness))
    {
        Console.Error.WriteLine($"Cannot read --out-of-order '{lateText}'.");
        return 2;
    }

    evaluation.Run(parse.GetValue(predictions)!.FullName, lateness);
    double seconds = clock.Elapsed.TotalSeconds;
    evaluation.Print(hs, Console.Out);
    evaluation.WriteReport(parse.GetValue(report)!.FullName, path, stepLength, hs, seconds);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{data.Rows} rows x {data.KeyCount} keys, {evaluation.LateReadings} late readings, {seconds:F1} s"));
    return 0;
});

return root.Parse(args).Invoke();

static ForecastModels ParseModels(string text)
{
    ForecastModels result = ForecastModels.None;
    foreach (string name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        result |= name.ToUpperInvariant() switch
        {
            "ALL" => ForecastModels.All,
            "PERSISTENCE" => ForecastModels.Persistence,
            "SEASONAL-NAIVE" => ForecastModels.SeasonalNaive,
            "HISTORICAL-AVERAGE" => ForecastModels.HistoricalAverage,
            "HOLT-WINTERS" => ForecastModels.HoltWinters,
            "AUTOREGRESSIVE" or "AR" or "RLS" => ForecastModels.Autoregressive,
            "COMBINED" => ForecastModels.Combined,
            _ => throw new ArgumentException($"Unknown model '{name}'; use persistence, seasonal-naive, historical-average, holt-winters, autoregressive, combined or all."),
        };
    }

    return result;
}
