using System.CommandLine;
using CityPulse;

var sensors = new Option<int>("--sensors") { Description = "Road sensors in the synthetic city.", DefaultValueFactory = _ => 2_000 };
var days = new Option<double>("--days") { Description = "Simulated days.", DefaultValueFactory = _ => 1 };
var history = new Option<double>("--history-days") { Description = "Days of history replayed first so detectors and forecasters learn each sensor's week (not reported).", DefaultValueFactory = _ => 7 };
var congestion = new Option<double>("--congestion-speed") { Description = "Forecast speed (km/h) at or below which a CongestionAhead risk is raised.", DefaultValueFactory = _ => 30 };
var sustain = new Option<double>("--incident-sustain") { Description = "Minutes the anomaly score must stay at the open level before an incident is reported (EventLifecycleOptions.OpenAfter). Default 0: anomaly scores peak once per episode, see docs/anomaly.md.", DefaultValueFactory = _ => 0 };
var interval = new Option<int>("--interval-seconds") { Description = "Seconds between two readings of a sensor.", DefaultValueFactory = _ => 60 };
var lanes = new Option<int>("--lanes") { Description = "Processing lanes (threads).", DefaultValueFactory = _ => Environment.ProcessorCount };
var seed = new Option<ulong>("--seed") { Description = "Seed of the synthetic city.", DefaultValueFactory = _ => 7 };
var input = new Option<FileInfo?>("--input") { Description = "Read this Arrow IPC (.arrow) or CSV (.csv) file instead of the synthetic city." };
var keyColumn = new Option<string>("--key-column") { Description = "Sensor id column of --input.", DefaultValueFactory = _ => "sensor" };
var timeColumn = new Option<string>("--time-column") { Description = "Event time column of --input.", DefaultValueFactory = _ => "time" };
var valueColumn = new Option<string>("--value-column") { Description = "Speed (or other measure) column of --input.", DefaultValueFactory = _ => "speed" };
var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the events (CSV, Arrow IPC) and the PNG plots.", DefaultValueFactory = _ => new DirectoryInfo("citypulse-out") };

var root = new RootCommand("CityPulse: a synthetic (or your) city through SmartCity.Streams: windows, detection, events.")
{
    sensors, days, history, congestion, sustain, interval, lanes, seed, input, keyColumn, timeColumn, valueColumn, output,
};

root.SetAction(async (parse, cancellation) =>
{
    var settings = new CityPulseSettings(
        parse.GetValue(sensors),
        parse.GetValue(days),
        parse.GetValue(history),
        parse.GetValue(interval),
        parse.GetValue(lanes),
        parse.GetValue(seed),
        parse.GetValue(input),
        parse.GetValue(keyColumn)!,
        parse.GetValue(timeColumn)!,
        parse.GetValue(valueColumn)!,
        parse.GetValue(output)!,
        parse.GetValue(congestion),
        parse.GetValue(sustain));
    try
    {
        return await CityPulseApp.RunAsync(settings, Console.Out, cancellation);
    }
    catch (Exception e) when (e is SmartCity.Streams.Batches.PipelineConfigurationException or SmartCity.Streams.Sources.SourceFormatException or FileNotFoundException or ArgumentException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
});

return await root.Parse(args).InvokeAsync();
