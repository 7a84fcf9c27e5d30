using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Tests.Sources;

public class SyntheticCitySourceTests
{
    private static readonly SyntheticCityOptions Small = new()
    {
        Sensors = 60,
        SensorsPerCorridor = 10,
        Duration = TimeSpan.FromDays(1),
        Interval = TimeSpan.FromMinutes(5),
        BatchSize = 1_000,
        Seed = 7,
        IncidentsPerSensorDay = 0.1,
        FaultsPerSensorDay = 0.1,
    };

    private readonly record struct Row(long Sensor, long Time, double Speed, double Occupancy, double Flow, int Partition);

    private static List<Row> ReadAll(SyntheticCitySource source)
    {
        var rows = new List<Row>();
        while (source.MoveNext())
        {
            var b = source.Current.Batch;
            var keys = (Int64Array)b.Column(0);
            var times = (TimestampArray)b.Column(1);
            var speed = (DoubleArray)b.Column(2);
            var occ = (DoubleArray)b.Column(3);
            var flow = (DoubleArray)b.Column(4);
            for (var i = 0; i < b.Length; i++)
            {
                rows.Add(new Row(keys.Values[i], times.Values[i], speed.Values[i], occ.Values[i], flow.Values[i], source.Current.Partition));
            }

            source.Release(source.Current);
        }

        return rows;
    }

    private static List<Row> Sorted(IEnumerable<Row> rows) =>
        [.. rows.Select(r => r with { Partition = 0 }).OrderBy(r => r.Time).ThenBy(r => r.Sensor)];

    [Fact]
    public void Same_seed_gives_same_data_and_ground_truth()
    {
        using var a = new SyntheticCitySource(Small);
        using var b = new SyntheticCitySource(Small);
        Assert.Equal(ReadAll(a), ReadAll(b));
        Assert.Equal(a.Incidents.Select(i => (i.Sensor, i.Start, i.End)), b.Incidents.Select(i => (i.Sensor, i.Start, i.End)));
        Assert.Equal(a.Faults, b.Faults);

        using var c = new SyntheticCitySource(Small with { Seed = 8 });
        Assert.NotEqual(ReadAll(new SyntheticCitySource(Small)).Select(r => r.Speed), ReadAll(c).Select(r => r.Speed));
    }

    [Fact]
    public void Data_does_not_depend_on_batch_size_or_partitions()
    {
        using var reference = new SyntheticCitySource(Small);
        using var rebatched = new SyntheticCitySource(Small with { BatchSize = 37 });
        using var partitioned = new SyntheticCitySource(Small with { Partitions = 3, BatchSize = 500 });
        var expected = ReadAll(reference);
        Assert.Equal(expected, ReadAll(rebatched));

        var rows = ReadAll(partitioned);
        Assert.Equal(expected, Sorted(rows));
        Assert.All(rows, r => Assert.Equal(partitioned.PartitionOf(r.Sensor), r.Partition));
        Assert.Equal(3, rows.Select(r => r.Partition).Distinct().Count());
    }

    [Fact]
    public void Row_count_is_sensors_times_ticks_minus_silences()
    {
        using var source = new SyntheticCitySource(Small);
        var rows = ReadAll(source);
        var interval = EventTime.FromTimeSpan(Small.Interval);
        var silenced = source.Faults.Where(f => f.Kind == SensorFaultKind.Silence).Sum(f => (f.End - f.Start) / interval);
        Assert.Equal((Small.Sensors * source.Ticks) - silenced, rows.Count);
        Assert.Equal(rows.Count, source.RowsGenerated);
        Assert.Equal(288, source.Ticks);
    }

    [Fact]
    public void Weekday_rush_hours_and_quiet_weekends_show_in_speeds()
    {
        using var source = new SyntheticCitySource(Small with
        {
            Duration = TimeSpan.FromDays(7),
            Interval = TimeSpan.FromMinutes(15),
            IncidentsPerSensorDay = 0,
            FaultsPerSensorDay = 0,
            BatchSize = 10_000,
        });
        var rows = ReadAll(source);

        double MeanSpeed(DayOfWeek day, int hour) => rows
            .Where(r => EventTime.ToDateTimeOffset(r.Time) is var t && t.DayOfWeek == day && t.Hour == hour)
            .Average(r => r.Speed / 1.0);

        double MeanOccupancy(DayOfWeek day, int hour) => rows
            .Where(r => EventTime.ToDateTimeOffset(r.Time) is var t && t.DayOfWeek == day && t.Hour == hour)
            .Average(r => r.Occupancy);

        Assert.True(MeanSpeed(DayOfWeek.Tuesday, 8) < 0.9 * MeanSpeed(DayOfWeek.Tuesday, 3), "morning rush is slower than the night");
        Assert.True(MeanSpeed(DayOfWeek.Tuesday, 17) < 0.9 * MeanSpeed(DayOfWeek.Tuesday, 3), "evening rush is slower than the night");
        Assert.True(MeanSpeed(DayOfWeek.Sunday, 8) > MeanSpeed(DayOfWeek.Tuesday, 8), "a Sunday morning is not a rush hour");
        Assert.True(MeanOccupancy(DayOfWeek.Tuesday, 8) > 2 * MeanOccupancy(DayOfWeek.Tuesday, 3));
        Assert.All(rows, r => Assert.InRange(r.Occupancy, 0.0, 1.0));
        Assert.All(rows, r => Assert.InRange(r.Speed, 1.0, 200.0));
    }

    [Fact]
    public void Incidents_slow_the_site_and_the_queue_behind_it()
    {
        var options = Small with { Duration = TimeSpan.FromDays(2), IncidentsPerSensorDay = 0.05, FaultsPerSensorDay = 0 };
        using var withIncidents = new SyntheticCitySource(options);
        using var baseline = new SyntheticCitySource(options with { IncidentsPerSensorDay = 0 });
        var actual = ReadAll(withIncidents).ToDictionary(r => (r.Sensor, r.Time), r => r.Speed);
        var expected = ReadAll(baseline).ToDictionary(r => (r.Sensor, r.Time), r => r.Speed);
        Assert.NotEmpty(withIncidents.Incidents);

        foreach (var incident in withIncidents.Incidents)
        {
            Assert.Equal(incident.Sensor, incident.AffectedSensors[0]);
            for (var hop = 1; hop < incident.AffectedSensors.Count; hop++)
            {
                Assert.Equal(incident.AffectedSensors[hop], withIncidents.Network.Upstream(incident.AffectedSensors[hop - 1]));
                Assert.Equal(incident.AffectedSensors[hop - 1], withIncidents.Network.Downstream(incident.AffectedSensors[hop]));
            }

            double Ratio(long sensor)
            {
                var keys = expected.Keys.Where(k => k.Sensor == sensor && k.Time >= incident.Start && k.Time < incident.End).ToList();
                return keys.Average(k => actual[k]) / keys.Average(k => expected[k]);
            }

            Assert.InRange(Ratio(incident.Sensor), 0.0, incident.SpeedFactor + 0.15);
            if (incident.AffectedSensors.Count > 1)
            {
                Assert.InRange(Ratio(incident.AffectedSensors[1]), 0.0, 0.95);
            }
        }

        // Outside every incident window the data is untouched.
        var untouched = expected.Keys.Where(k => !withIncidents.Incidents.Any(i => i.AffectedSensors.Contains(k.Sensor) && k.Time >= i.Start && k.Time < i.End));
        Assert.All(untouched, k => Assert.Equal(expected[k], actual[k]));
    }

    [Fact]
    public void Faults_match_their_ground_truth()
    {
        var options = Small with { Duration = TimeSpan.FromDays(3), Interval = TimeSpan.FromMinutes(1), FaultsPerSensorDay = 0.1, IncidentsPerSensorDay = 0, BatchSize = 8_192 };
        using var source = new SyntheticCitySource(options);
        var rows = ReadAll(source);
        var bySensor = rows.ToLookup(r => r.Sensor);
        Assert.Contains(source.Faults, f => f.Kind == SensorFaultKind.Stuck);
        Assert.Contains(source.Faults, f => f.Kind == SensorFaultKind.Silence);
        Assert.Contains(source.Faults, f => f.Kind == SensorFaultKind.Spike);

        foreach (var fault in source.Faults)
        {
            Assert.True(fault.End > fault.Start);
            var inside = bySensor[fault.Sensor].Where(r => r.Time >= fault.Start && r.Time < fault.End).ToList();
            switch (fault.Kind)
            {
                case SensorFaultKind.Silence:
                    Assert.Empty(inside);
                    break;
                case SensorFaultKind.Stuck:
                    Assert.True(inside.Count > 1);
                    Assert.Single(inside.Select(r => (r.Speed, r.Occupancy, r.Flow)).Distinct());
                    break;
                case SensorFaultKind.Spike:
                    Assert.NotEmpty(inside);
                    Assert.All(inside, r => Assert.True(r.Speed < 0 || r.Speed > 250 || r.Occupancy > 1 || r.Occupancy < 0));
                    break;
            }
        }

        // Out-of-range values appear only inside spike faults.
        var spikes = source.Faults.Where(f => f.Kind == SensorFaultKind.Spike).ToList();
        Assert.All(rows.Where(r => r.Speed < 0 || r.Speed > 250), r =>
            Assert.Contains(spikes, f => f.Sensor == r.Sensor && r.Time >= f.Start && r.Time < f.End));
    }

    [Fact]
    public void Network_is_consistent()
    {
        using var source = new SyntheticCitySource(Small with { Sensors = 25, SensorsPerCorridor = 10 });
        var network = source.Network;
        Assert.Equal(3, network.Corridors);
        for (long s = 0; s < network.Count; s++)
        {
            var down = network.Downstream(s);
            if (down >= 0 && network.CorridorOf(down) == network.CorridorOf(s))
            {
                Assert.Equal(s, network.Upstream(down));
            }

            Assert.All(network.Neighbours(s), n => Assert.Contains(s, network.Neighbours(n)));
        }

        Assert.Equal(10, network.Downstream(9)); // corridor 0 feeds corridor 1
        Assert.Equal(-1, network.Upstream(10));
        Assert.Contains(9L, network.Neighbours(10));
    }

    [Fact]
    public async Task Partitioned_city_runs_on_two_lanes()
    {
        using var source = new SyntheticCitySource(Small with { Partitions = 2, FaultsPerSensorDay = 0 });
        var pipeline = Streams.Pipeline.StreamPipeline.Create("sensor", "time", "speed", "occupancy", "flow").Build();
        var stats = await pipeline.RunAsync(source, lanes: 2);
        Assert.Equal(Small.Sensors * source.Ticks, stats.RowsIn);
    }
}
