using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Windowing;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;

namespace CityPulse;

/// <summary>
/// The window pass: 1-minute then 15-minute tumbling windows of speed per sensor. A window replaces its input rows
/// with window results, so it cannot sit in the detection chain; it runs as a second pipeline over a second synthetic
/// city built from the same options (the generator is deterministic: the same readings).
/// </summary>
internal static class WindowPass
{
    public static readonly TimeSpan Slot = TimeSpan.FromMinutes(15);

    public static async Task<(WindowCells Cells, SeriesCapture Minutes)> RunAsync(
        SyntheticCityOptions options, string speed, long reportFrom, int slots, IEnumerable<long> tapped, int lanes, long totalRows, TextWriter log, CancellationToken cancellationToken)
    {
        var minuteMean = speed + "_mean";
        var quarterMean = minuteMean + "_mean";
        var minutes = new SeriesCapture(tapped);
        var cells = new WindowCells(quarterMean, reportFrom, EventTime.FromTimeSpan(Slot), slots);
        var pipeline = StreamPipeline.Create(options.SensorColumn, options.TimeColumn, speed)
            .WithName("citypulse-windows")
            .WithOutOfOrderness(TimeSpan.FromMinutes(1))
            .Then(new TimeFromFilter("reported-period", reportFrom))
            .TumblingWindow(TimeSpan.FromMinutes(1), new WindowMeasure(speed, AggregateKinds.Count | AggregateKinds.Mean))
            .Then(new SensorTap("minute-tap", minuteMean, minutes, reportFrom))
            // A 1-minute result carries its window end as event time, so [0:14, 0:15) arrives at 0:15: a 1 µs offset
            // keeps it in the quarter hour it summarises ([0:00, 0:15) + 1 µs) instead of the next one.
            .Window(WindowSpec.Tumbling(Slot, TimeSpan.FromMicroseconds(1)), null, new WindowMeasure(minuteMean, AggregateKinds.Mean))
            .SendBatchesTo(cells)
            .Build();

        using var progress = new ProgressSource(new SyntheticCitySource(options), totalRows, log);
        log.WriteLine($"windows: 1-minute and 15-minute tumbling windows per sensor on {lanes} lane(s)...");
        await pipeline.RunAsync(progress, lanes, cancellationToken);
        progress.Report();
        log.WriteLine($"progress: windows done ({progress.Elapsed.TotalSeconds:0.0} s)");
        return (cells, minutes);
    }
}
