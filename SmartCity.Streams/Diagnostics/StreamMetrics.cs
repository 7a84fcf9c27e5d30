using System.Diagnostics.Metrics;

namespace SmartCity.Streams.Diagnostics;

/// <summary>
/// Publishes pipeline statistics through <see cref="System.Diagnostics.Metrics"/> under the meter
/// <c>SmartCity.Streams</c>, for OpenTelemetry and <c>dotnet-counters</c>. Instruments are observable: they
/// read the lane counters when a listener asks, so the hot path pays nothing.
/// </summary>
public static class StreamMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SmartCity.Streams";

    private static readonly Meter Meter = new(MeterName, "0.1.0");
    private static readonly object Gate = new();
    private static readonly List<(string Pipeline, PipelineStatistics Statistics)> Active = [];

    static StreamMetrics()
    {
        Meter.CreateObservableCounter("smartcity.streams.rows_in", () => Observe(static s => s.RowsIn), "{row}", "Rows accepted by the pipeline (rows rejected as invalid count in rows_rejected only).");
        Meter.CreateObservableCounter("smartcity.streams.batches", () => Observe(static s => s.Batches), "{batch}", "Batches read from sources.");
        Meter.CreateObservableCounter("smartcity.streams.rows_rejected", () => Observe(static s => s.RowsRejected), "{row}", "Rows rejected as invalid.");
        Meter.CreateObservableCounter("smartcity.streams.values_skipped", () => Observe(static s => s.ValuesSkipped), "{value}", "Measure values skipped (null, NaN, infinite).");
        Meter.CreateObservableCounter("smartcity.streams.rows_late", () => Observe(static s => s.RowsLate), "{row}", "Rows later than the allowed lateness.");
        Meter.CreateObservableCounter("smartcity.streams.events_out", () => Observe(static s => s.EventsOut), "{event}", "Events emitted.");
        Meter.CreateObservableGauge("smartcity.streams.watermark_lag", () => Observe(static s => (long)s.WatermarkLag.TotalMilliseconds), "ms", "Newest event time minus watermark.");
        Meter.CreateObservableGauge("smartcity.streams.queue_depth", ObserveQueues, "{batch}", "Batches waiting per lane.");
    }

    internal static IDisposable Register(string pipeline, PipelineStatistics statistics)
    {
        lock (Gate)
        {
            Active.Add((pipeline, statistics));
        }

        return new Registration(pipeline, statistics);
    }

    private static List<Measurement<long>> Observe(Func<PipelineStatistics, long> read)
    {
        lock (Gate)
        {
            var list = new List<Measurement<long>>(Active.Count);
            foreach (var (pipeline, statistics) in Active)
            {
                list.Add(new Measurement<long>(read(statistics), new KeyValuePair<string, object?>("pipeline", pipeline)));
            }

            return list;
        }
    }

    private static List<Measurement<int>> ObserveQueues()
    {
        lock (Gate)
        {
            var list = new List<Measurement<int>>();
            foreach (var (pipeline, statistics) in Active)
            {
                for (var lane = 0; lane < statistics.Lanes.Count; lane++)
                {
                    list.Add(new Measurement<int>(statistics.QueueDepth(lane),
                        new KeyValuePair<string, object?>("pipeline", pipeline), new KeyValuePair<string, object?>("lane", lane)));
                }
            }

            return list;
        }
    }

    private sealed class Registration(string pipeline, PipelineStatistics statistics) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
            {
                Active.Remove((pipeline, statistics));
            }
        }
    }
}
