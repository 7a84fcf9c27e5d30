using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Forecasting;
using SmartCity.Streams.Pipeline;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

public sealed class ForecastOperatorTests
{
    private static readonly long Step = TimeSpan.FromMinutes(5).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>Copies every forecast row a pipeline emits.</summary>
    private sealed class ForecastRows : IBatchSink
    {
        public List<(long Sensor, long IssuedAt, long Target, long Horizon, double Forecast, double Lower, double Upper)> Rows { get; } = [];

        public void OnBatch(StreamBatch batch)
        {
            var issued = batch.GetInt64s(0);
            var target = batch.GetInt64s(1);
            var horizon = batch.GetInt64s(2);
            var forecast = batch.GetDoubles(3);
            var lower = batch.GetDoubles(4);
            var upper = batch.GetDoubles(5);
            for (int i = 0; i < batch.Length; i++)
            {
                Rows.Add((batch.GetSensor(i).Number, issued[i], target[i], horizon[i], forecast[i], lower[i], upper[i]));
            }
        }

        public void OnCompleted(Exception? error)
        {
        }
    }

    /// <summary>Speed of sensor 100 (free flow 60, a daily jam down to 20 around 08:00) and sensor 200 (always free).</summary>
    private static double Speed(long sensor, int t)
    {
        int minuteOfDay = t * 5 % 1440;
        bool jam = sensor == 100 && minuteOfDay is >= 450 and < 540;
        return jam ? 20 : 60;
    }

    private static RecordBatch Batch(int t)
    {
        long[] sensors = [100, 200];
        var schema = new Schema.Builder()
            .Field(f => f.Name("sensor").DataType(Int64Type.Default))
            .Field(f => f.Name("time").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")))
            .Field(f => f.Name("speed").DataType(DoubleType.Default))
            .Build();
        var times = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC"));
        foreach (long _ in sensors)
        {
            times.Append(DateTimeOffset.UnixEpoch.AddTicks(t * Step * 10));
        }

        return new RecordBatch(schema,
        [
            new Int64Array.Builder().AppendRange(sensors).Build(),
            times.Build(),
            new DoubleArray.Builder().AppendRange(sensors.Select(s => Speed(s, t))).Build(),
        ], sensors.Length);
    }

    [Fact]
    public void Operator_emits_the_forecasters_forecasts_for_every_sensor_and_horizon()
    {
        var options = new ForecasterOptions { Horizon = 3, Models = ForecastModels.Persistence | ForecastModels.Autoregressive | ForecastModels.Combined };
        var rows = new ForecastRows();
        var pipeline = StreamPipeline.Create("sensor", "time", "speed")
            .Then(new ForecastOperator("forecast", "speed", options))
            .SendBatchesTo(rows)
            .Build();
        using var run = pipeline.CreateRun();
        var direct = new OnlineForecaster(options);
        var expected = new List<double>();
        int steps = 288 * 3;
        for (int t = 0; t < steps; t++)
        {
            run.Process(Batch(t));
            direct.Update([0, 1], [t * Step, t * Step], [Speed(100, t), Speed(200, t)]);
            while (direct.TryAdvance(t * Step))
            {
                expected.AddRange(direct.Forecasts(direct.ModelCount - 1).ToArray());
            }
        }

        run.Complete();
        while (direct.TryAdvance(steps * Step))
        {
            expected.AddRange(direct.Forecasts(direct.ModelCount - 1).ToArray());
        }

        Assert.Equal(expected.Count, rows.Rows.Count);
        Assert.Equal(expected, rows.Rows.Select(r => r.Forecast));
        var first = rows.Rows.Take(6).ToArray();
        Assert.Equal([100, 100, 100, 200, 200, 200], first.Select(r => r.Sensor));
        Assert.Equal([1, 2, 3, 1, 2, 3], first.Select(r => r.Horizon));
        Assert.All(rows.Rows, r => Assert.Equal(r.IssuedAt + (r.Horizon * Step), r.Target));
        Assert.All(rows.Rows, r => Assert.True(r.Lower <= r.Forecast && r.Forecast <= r.Upper));
    }

    [Fact]
    public void Congestion_rule_warns_ahead_of_the_daily_jam_once_per_jam_and_announces_recovery()
    {
        var events = new CollectingEventSink();
        var pipeline = StreamPipeline.Create("sensor", "time", "speed")
            .Then(new ForecastOperator("forecast", "speed", new ForecasterOptions { Horizon = 6 }))
            .Then(new ForecastRuleOperator("congestion", ForecastRuleOptions.Congestion(40) with
            {
                Alternatives = [new AlternativeRoute(new SensorId(100), new SensorId(200))],
            }))
            .SendEventsTo(events)
            .Build();
        using var run = pipeline.CreateRun();
        int days = 6;
        for (int t = 0; t < 288 * days; t++)
        {
            run.Process(Batch(t));
        }

        run.Complete();
        var opens = events.Events.Where(e => e.Category == EventCategory.CongestionAhead && e.Phase == EventPhase.Open).ToArray();
        Assert.All(opens, e => Assert.Equal(100, e.Sensor.Number));

        // After the models have seen the jam for two days, each later day's jam is announced before it starts.
        var jamStarts = Enumerable.Range(3, days - 3).Select(d => ((d * 1440) + 450) * EventTime.MicrosPerMinute).ToArray();
        foreach (long start in jamStarts)
        {
            var warning = opens.Where(e => e.DetectionTime <= start && e.DetectionTime >= start - EventTime.MicrosPerHour).ToArray();
            Assert.Single(warning);
            Assert.True(warning[0].Horizon > 0, "a warning ahead of the jam has a positive lead time");
        }

        Assert.Contains(events.Events, e => e.Category == EventCategory.Recovery && e.Kind == EventKind.Opportunity);
        Assert.Contains(events.Events, e => e.Category == EventCategory.FreeAlternative && e.Sensor.Number == 100);
        Assert.DoesNotContain(events.Events, e => e.Sensor.Number == 200 && e.Category == EventCategory.CongestionAhead);
    }

    [Fact]
    public void Invalid_options_fail_when_the_operator_is_defined()
    {
        Assert.Throws<PipelineConfigurationException>(() => new ForecastOperator("f", "speed", new ForecasterOptions { Horizon = -1 }));
        Assert.Throws<PipelineConfigurationException>(() => new ForecastOperator("f", "speed", new ForecasterOptions { Graph = RoadGraph.Empty }));
        Assert.Throws<PipelineConfigurationException>(() => new ForecastRuleOperator("r", new ForecastRuleOptions { Threshold = double.NaN }));
    }
}
