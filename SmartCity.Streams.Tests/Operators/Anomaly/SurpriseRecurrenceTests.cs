using SmartCity.Streams.Operators.Anomaly;

namespace SmartCity.Streams.Tests.Operators.Anomaly;

/// <summary>A surprise that keeps coming back stops alarming; a larger, new one still alarms.</summary>
public class SurpriseRecurrenceTests
{
    private const int Rows = 4000;
    private const int Period = 100;
    private const double Alarm = 0.5;

    /// <summary>Noisy level 10 with a spike of +<paramref name="height"/> every <see cref="Period"/> rows (from row 150)
    /// and one spike of +<paramref name="lastHeight"/> at the last spike position.</summary>
    private static double[] RoutineSpikes(double height, double lastHeight)
    {
        var random = new Random(7);
        var v = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            v[i] = 10 + (0.5 * ((random.NextDouble() * 2) - 1));
        }

        for (int i = 150; i < Rows; i += Period)
        {
            v[i] += height;
        }

        v[LastSpike] = 10 + lastHeight;
        return v;
    }

    private static int LastSpike => 150 + (((Rows - 151) / Period) * Period);

    private static double[] Run(AnomalyDetector detector, double[] values)
    {
        var scores = new double[values.Length];
        detector.Score(new int[values.Length], SyntheticSeries.Times(values.Length), values, scores);
        return scores;
    }

    private static CalibrationOptions NoCooldown(double recurrence) => new() { CooldownRows = 0, RecurrenceCount = recurrence };

    [Fact]
    public void A_routine_spike_alarms_at_first_and_stops_once_it_has_recurred()
    {
        double[] scores = Run(new RobustZScoreDetector(calibration: NoCooldown(5)), RoutineSpikes(20, 20));
        Assert.True(scores[150] >= Alarm, $"first spike scored {scores[150]}");
        // From the tenth spike on (weighted count well above 5), the routine spike is judged by its frequency (about 1%).
        for (int i = 150 + (10 * Period); i < Rows; i += Period)
        {
            Assert.True(scores[i] < 0.35, $"routine spike at row {i} scored {scores[i]}");
        }
    }

    [Fact]
    public void Without_the_recurrence_check_every_routine_spike_alarms()
    {
        double[] scores = Run(new RobustZScoreDetector(calibration: NoCooldown(0)), RoutineSpikes(20, 20));
        for (int i = 150; i < Rows; i += Period)
        {
            Assert.True(scores[i] >= Alarm, $"spike at row {i} scored {scores[i]}");
        }
    }

    [Fact]
    public void A_spike_far_above_the_routine_ones_still_alarms()
    {
        double[] routine = Run(new RobustZScoreDetector(calibration: NoCooldown(5)), RoutineSpikes(20, 20));
        double[] larger = Run(new RobustZScoreDetector(calibration: NoCooldown(5)), RoutineSpikes(20, 2000));
        Assert.True(routine[LastSpike] < 0.35, $"routine last spike scored {routine[LastSpike]}");
        Assert.True(larger[LastSpike] >= Alarm, $"a hundred times larger last spike scored {larger[LastSpike]}");
    }

    [Fact]
    public void Snapshot_and_restore_keep_the_recurrence_counters()
    {
        double[] values = RoutineSpikes(20, 20);
        double[] whole = Run(new EnsembleDetector(), values);

        var first = new EnsembleDetector();
        int cut = 1234;
        var head = new double[cut];
        first.Score(new int[cut], SyntheticSeries.Times(Rows).AsSpan(0, cut), values.AsSpan(0, cut), head);
        using var stream = new MemoryStream();
        first.Snapshot(new BinaryWriter(stream));
        stream.Position = 0;
        var second = new EnsembleDetector();
        second.Restore(new BinaryReader(stream));
        var tail = new double[Rows - cut];
        second.Score(new int[Rows - cut], SyntheticSeries.Times(Rows).AsSpan(cut), values.AsSpan(cut), tail);

        Assert.Equal(whole, head.Concat(tail).ToArray());
    }

    [Fact]
    public void A_negative_recurrence_count_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaZScoreDetector(calibration: new CalibrationOptions { RecurrenceCount = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaZScoreDetector(calibration: new CalibrationOptions { RecurrenceCount = double.NaN }));
    }
}
