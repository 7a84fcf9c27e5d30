using System.Diagnostics.Metrics;
using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Diagnostics;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Diagnostics;

public class StreamMetricsTests
{
    [Fact]
    public void Counters_are_published_per_pipeline_through_System_Diagnostics_Metrics()
    {
        using var listener = new PipelineListener("metrics-test");
        using var run = StreamPipeline.Create("sensor", "time", "speed").WithName("metrics-test").Ewma("speed").Build().CreateRun();
        run.Process(TestBatches.Readings([1, 2, 3], [1, 2, 3], [1, double.NaN, 3]));
        run.Process(WithNullKey());

        var measured = listener.Read();

        // Five rows arrived; the one with a null key is rejected, not accepted.
        Assert.Equal(4, measured["smartcity.streams.rows_in"]);
        Assert.Equal(2, measured["smartcity.streams.batches"]);
        Assert.Equal(1, measured["smartcity.streams.rows_rejected"]);
        Assert.Equal(1, measured["smartcity.streams.values_skipped"]);
        Assert.Equal(0, measured["smartcity.streams.events_out"]);
    }

    [Fact]
    public void A_disposed_run_is_no_longer_reported()
    {
        using var listener = new PipelineListener("metrics-disposed");
        var run = StreamPipeline.Create("sensor", "time", "speed").WithName("metrics-disposed").Build().CreateRun();
        run.Process(TestBatches.Readings([1], [1], [1]));
        Assert.Equal(1, listener.Read()["smartcity.streams.rows_in"]);

        run.Dispose();

        Assert.Empty(listener.Read());
    }

    private static RecordBatch WithNullKey()
    {
        var keys = new Int32Array.Builder().Append(4).AppendNull().Build();
        var times = new TimestampArray.Builder(TestBatches.Micros).Append(DateTimeOffset.UnixEpoch).Append(DateTimeOffset.UnixEpoch).Build();
        var values = new DoubleArray.Builder().Append(1).Append(2).Build();
        var schema = new Schema([new Field("sensor", Int32Type.Default, true), new Field("time", TestBatches.Micros, true), new Field("speed", DoubleType.Default, true)], null);
        return new RecordBatch(schema, [keys, times, values], 2);
    }

    /// <summary>Collects the meter's observable counters for one pipeline name (other tests' pipelines run beside it).</summary>
    private sealed class PipelineListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _measured = [];

        public PipelineListener(string pipeline)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StreamMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "pipeline" && (string?)tag.Value == pipeline)
                    {
                        _measured[instrument.Name] = value;
                    }
                }
            });
            _listener.Start();
        }

        public Dictionary<string, long> Read()
        {
            _measured.Clear();
            _listener.RecordObservableInstruments();
            return new Dictionary<string, long>(_measured);
        }

        public void Dispose() => _listener.Dispose();
    }
}
