using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators.Anomaly;
using SmartCity.Streams.Testing;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

[Collection(AllocationMeasuringCollection.Name)]
public class SensorFaultDetectorTests
{
    private static readonly long[] Times = SyntheticSeries.Times(400);

    [Fact]
    public void A_stuck_sensor_is_flagged_after_the_configured_number_of_identical_readings()
    {
        double[] values = SyntheticSeries.Seasonal(400, 1);
        for (int i = 200; i < 260; i++)
        {
            values[i] = 47.0;
        }

        SensorFaults[] faults = Check(new SensorFaultDetector(), values);
        Assert.DoesNotContain(faults.Take(200), f => f.HasFlag(SensorFaults.FlatLine));
        // The run of identical readings starts at 200; the 12th identical reading (row 211) is the first flagged.
        Assert.False(faults[210].HasFlag(SensorFaults.FlatLine));
        Assert.All(faults.Skip(211).Take(49), f => Assert.True(f.HasFlag(SensorFaults.FlatLine)));
        Assert.False(faults[261].HasFlag(SensorFaults.FlatLine));
    }

    [Fact]
    public void Values_outside_the_declared_range_and_impossible_jumps_are_flagged_on_the_reading()
    {
        double[] values = SyntheticSeries.Seasonal(400, 2);
        values[100] = -3;
        values[150] = 250;
        values[300] = values[299] + 40;
        var detector = new SensorFaultDetector(new SensorFaultOptions { Minimum = 0, Maximum = 130, MaxRatePerSecond = 0.05 });
        SensorFaults[] faults = Check(detector, values);
        Assert.True(faults[100].HasFlag(SensorFaults.OutOfRange));
        Assert.True(faults[150].HasFlag(SensorFaults.OutOfRange));
        Assert.True(faults[150].HasFlag(SensorFaults.ImpossibleJump));
        Assert.True(faults[300].HasFlag(SensorFaults.ImpossibleJump));
        Assert.Equal(SensorFaults.None, faults[50]);
        // 100, 150 and 300, and the jumps back to normal at 101, 151 and 301.
        Assert.Equal(6, faults.Count(f => f != SensorFaults.None));
    }

    [Fact]
    public void A_gap_longer_than_three_intervals_is_flagged_when_the_next_reading_arrives()
    {
        var detector = new SensorFaultDetector();
        var keys = new int[10];
        long[] times = [.. Times.Take(5), Times[5] + (20 * EventTime.MicrosPerMinute), .. Times.Skip(6).Take(4).Select(t => t + (20 * EventTime.MicrosPerMinute))];
        var faults = new SensorFaults[10];
        detector.Check(keys, times, Enumerable.Range(0, 10).Select(i => 50.0 + i).ToArray(), faults);
        Assert.Equal(SensorFaults.Missing, faults[5]);
        Assert.Equal(1, faults.Count(f => f != SensorFaults.None));
    }

    [Fact]
    public void A_silent_sensor_is_found_from_the_watermark_once_until_it_sends_again()
    {
        var detector = new SensorFaultDetector();
        int[] keys = [0, 1, 0, 1, 0, 1, 0, 1];
        long[] times = [Times[0], Times[0], Times[1], Times[1], Times[2], Times[2], Times[3], Times[3]];
        detector.Check(keys, times, [1, 2, 1, 2, 1.5, 2.5, 1, 2], new SensorFaults[8]);
        var silent = new int[4];

        // Sensor 1 goes quiet after Times[3]; sensor 0 keeps sending.
        detector.Check([0, 0, 0], [Times[4], Times[5], Times[6]], [1, 1.2, 1.1], new SensorFaults[3]);
        Assert.Equal(0, detector.FindSilent(Times[6], silent));
        detector.Check([0], [Times[7]], [1], new SensorFaults[1]);
        Assert.Equal(1, detector.FindSilent(Times[7], silent));
        Assert.Equal(1, silent[0]);
        Assert.Equal(0, detector.FindSilent(Times[8], silent));

        detector.Check([1], [Times[9]], [2], new SensorFaults[1]);
        Assert.Equal(0, detector.FindSilent(Times[9], silent));
    }

    [Fact]
    public void NaN_is_missing_and_does_not_count_as_a_sign_of_life()
    {
        var detector = new SensorFaultDetector(new SensorFaultOptions { ExpectedInterval = TimeSpan.FromMinutes(5) });
        var faults = new SensorFaults[3];
        detector.Check([0, 0, 0], [Times[0], Times[1], Times[2]], [1, double.NaN, double.NaN], faults);
        Assert.Equal([SensorFaults.None, SensorFaults.Missing, SensorFaults.Missing], faults);
        Assert.Equal(1, detector.FindSilent(Times[4], new int[1]));
    }

    [Fact]
    public void Snapshot_and_restore_mid_stream_changes_nothing()
    {
        double[] values = SyntheticSeries.Seasonal(400, 3);
        for (int i = 120; i < 150; i++)
        {
            values[i] = 10;
        }

        SensorFaults[] expected = Check(new SensorFaultDetector(), values);
        var first = new SensorFaultDetector();
        var actual = new SensorFaults[400];
        var keys = new int[400];
        first.Check(keys.AsSpan(0, 130), Times.AsSpan(0, 130), values.AsSpan(0, 130), actual.AsSpan(0, 130));
        using var stream = new MemoryStream();
        first.Snapshot(new BinaryWriter(stream));
        stream.Position = 0;
        var second = new SensorFaultDetector();
        second.Restore(new BinaryReader(stream));
        second.Check(keys.AsSpan(130), Times.AsSpan(130), values.AsSpan(130), actual.AsSpan(130));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Steady_state_checks_allocate_nothing()
    {
        var detector = new SensorFaultDetector();
        double[] values = SyntheticSeries.Seasonal(400, 4);
        var keys = new int[400];
        var faults = new SensorFaults[400];
        detector.Check(keys, Times, values, faults);
        var silent = new int[8];
        long allocated = SteadyStateAllocation.Minimum(5, _ =>
        {
            for (int r = 0; r < 50; r++)
            {
                detector.Check(keys.AsSpan(0, 100), Times.AsSpan(300, 100), values.AsSpan(0, 100), faults);
                detector.FindSilent(Times[399], silent);
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Inconsistent_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SensorFaultDetector(new SensorFaultOptions { Minimum = 5, Maximum = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SensorFaultDetector(new SensorFaultOptions { GapIntervals = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SensorFaultDetector(new SensorFaultOptions { ExpectedInterval = TimeSpan.Zero }));
    }

    private static SensorFaults[] Check(SensorFaultDetector detector, double[] values)
    {
        var faults = new SensorFaults[values.Length];
        detector.Check(new int[values.Length], Times.AsSpan(0, values.Length), values, faults);
        return faults;
    }
}
