using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.Streams.Operators.Forecasting;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

/// <summary>Invariants that must hold for any input: batch splits, lanes and snapshots change nothing; forecasts stay finite.</summary>
public sealed class ForecasterPropertyTests
{
    // Five keys: one lane runs the four-key vector paths and the scalar tail, two lanes of three and two keys only the scalar
    // paths, so "two lanes forecast like one" also checks that vectors and scalars agree bit for bit.
    private const int Keys = 5;
    private static readonly long Step = TimeSpan.FromMinutes(5).Ticks / TimeSpan.TicksPerMicrosecond;

    private static ForecasterOptions Options(RoadGraph? graph = null, int maxOpenSteps = 4) => new()
    {
        Step = TimeSpan.FromMinutes(5),
        Horizon = 4,
        // A small ring makes readings far ahead of the watermark advance the clock by themselves.
        MaxOpenSteps = maxOpenSteps,
        Graph = graph,
    };

    /// <summary>Readings in time order: <see cref="Keys"/> keys, some steps with two readings, some gaps.</summary>
    private static (int[] Keys, long[] Times, double[] Values) Readings(double[] values, byte[] gaps)
    {
        var keys = new int[values.Length];
        var times = new long[values.Length];
        long t = 0;
        for (int i = 0; i < values.Length; i++)
        {
            keys[i] = i % Keys;
            if (i % Keys == 0 && i > 0)
            {
                int gap = gaps.Length == 0 ? 1 : gaps[i % gaps.Length] % 7;
                t += gap * Step / 2;
            }

            times[i] = t + (i % Keys);
        }

        return (keys, times, values);
    }

    /// <summary>Feeds the readings in chunks, advancing the watermark to each chunk's newest step start, and records every issued forecast.</summary>
    private static List<double[]> Feed(OnlineForecaster forecaster, (int[] Keys, long[] Times, double[] Values) r, int chunk, int from = 0, int to = -1)
    {
        to = to < 0 ? r.Keys.Length : to;
        var issued = new List<double[]>();
        for (int start = from; start < to; start += chunk)
        {
            int n = Math.Min(chunk, to - start);
            forecaster.Update(r.Keys.AsSpan(start, n), r.Times.AsSpan(start, n), r.Values.AsSpan(start, n));
            long watermark = r.Times[start + n - 1] / Step * Step;
            while (forecaster.TryAdvance(watermark))
            {
                issued.Add(All(forecaster));
            }
        }

        return issued;
    }

    private static void Finish(OnlineForecaster forecaster, (int[] Keys, long[] Times, double[] Values) r, List<double[]> issued)
    {
        long end = r.Times.Length == 0 ? 0 : r.Times[^1] + Step;
        while (forecaster.TryAdvance(end))
        {
            issued.Add(All(forecaster));
        }
    }

    private static double[] All(OnlineForecaster forecaster)
    {
        var all = new List<double>();
        for (int m = 0; m < forecaster.ModelCount; m++)
        {
            all.AddRange(forecaster.Forecasts(m).ToArray());
            all.AddRange(forecaster.Lower(m).ToArray());
            all.AddRange(forecaster.Upper(m).ToArray());
        }

        return [.. all];
    }

    private static bool Same(List<double[]> a, List<double[]> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    [Property(MaxTest = 60)]
    public bool Splitting_rows_into_other_batches_changes_nothing(NormalFloat[] raw, byte[] gaps, PositiveInt chunk)
    {
        var r = Readings(raw.Select(x => x.Get).ToArray(), gaps);
        // Steps a reading closes by running ahead of the ring issue forecasts nobody reads, and a whole-stream batch
        // would do that more than small ones: a ring as large as the stream keeps every issue visible.
        var whole = new OnlineForecaster(Options(maxOpenSteps: 1 << 16));
        var split = new OnlineForecaster(Options(maxOpenSteps: 1 << 16));
        List<double[]> a = Feed(whole, r, Math.Max(1, r.Keys.Length));
        List<double[]> b = Feed(split, r, 1 + (chunk.Get % 17));
        Finish(whole, r, a);
        Finish(split, r, b);
        return Same(a, b) && ForecastHarness.Snapshot(whole).AsSpan().SequenceEqual(ForecastHarness.Snapshot(split));
    }

    [Property(MaxTest = 60)]
    public bool Snapshot_and_restore_mid_stream_changes_nothing(NormalFloat[] raw, byte[] gaps, PositiveInt cut)
    {
        var r = Readings(raw.Select(x => x.Get).ToArray(), gaps);
        int middle = r.Keys.Length == 0 ? 0 : cut.Get % r.Keys.Length;
        var straight = new OnlineForecaster(Options());
        List<double[]> a = Feed(straight, r, 5, 0, middle);
        a.AddRange(Feed(straight, r, 5, middle));
        Finish(straight, r, a);

        var first = new OnlineForecaster(Options());
        List<double[]> b = Feed(first, r, 5, 0, middle);
        var resumed = new OnlineForecaster(Options());
        ForecastHarness.Restore(resumed, ForecastHarness.Snapshot(first));
        b.AddRange(Feed(resumed, r, 5, middle));
        Finish(resumed, r, b);
        return Same(a, b) && ForecastHarness.Snapshot(straight).AsSpan().SequenceEqual(ForecastHarness.Snapshot(resumed));
    }

    [Property(MaxTest = 100)]
    public bool Forecasts_and_intervals_are_finite_for_any_input(double[] raw, byte[] gaps)
    {
        // Raw doubles include NaN, infinities, huge and tiny values; a graph makes the neighbour path run too.
        var r = Readings(raw, gaps);
        var graph = RoadGraph.FromEdges(Keys, [0, 1, 1, 2], [1, 0, 2, 1], [1, 1, 0.5, 0.5]);
        var forecaster = new OnlineForecaster(Options(graph));
        List<double[]> issued = Feed(forecaster, r, 4);
        Finish(forecaster, r, issued);
        return issued.All(f => f.All(double.IsFinite));
    }

    [Property(MaxTest = 40)]
    public bool Constant_series_forecasts_the_constant(NormalFloat level, PositiveInt length)
    {
        double c = Math.Clamp(level.Get, -1e9, 1e9);
        var values = Enumerable.Repeat(c, Keys * (30 + (length.Get % 300))).ToArray();
        var r = Readings(values, [2]);
        var forecaster = new OnlineForecaster(Options());
        List<double[]> issued = Feed(forecaster, r, 7);
        Finish(forecaster, r, issued);
        double tolerance = 1e-9 * (1 + Math.Abs(c));
        return Enumerable.Range(0, forecaster.ModelCount).All(m => forecaster.Forecasts(m).ToArray().All(f => Math.Abs(f - c) <= tolerance));
    }

    [Property(MaxTest = 40)]
    public bool Two_lanes_forecast_like_one(NormalFloat[] raw, byte[] gaps)
    {
        // Even keys on lane 0, odd keys on lane 1 (dense key / 2): without a graph keys are independent.
        var r = Readings(raw.Select(x => x.Get).ToArray(), gaps);
        var one = new OnlineForecaster(Options());
        Feed(one, r, 6);
        var lanes = new[] { new OnlineForecaster(Options()), new OnlineForecaster(Options()) };
        for (int lane = 0; lane < 2; lane++)
        {
            var rows = Enumerable.Range(0, r.Keys.Length).Where(i => r.Keys[i] % 2 == lane).ToArray();
            var part = (rows.Select(i => r.Keys[i] / 2).ToArray(), rows.Select(i => r.Times[i]).ToArray(), rows.Select(i => r.Values[i]).ToArray());
            Feed(lanes[lane], part, 6);
        }

        long end = r.Times.Length == 0 ? 0 : (r.Times[^1] / Step * Step) + Step;
        while (one.TryAdvance(end))
        {
        }

        foreach (var lane in lanes)
        {
            while (lane.TryAdvance(end))
            {
            }
        }

        int h = one.Horizon;
        for (int key = 0; key < one.KeyCount; key++)
        {
            var lane = lanes[key % 2];
            for (int m = 0; m < one.ModelCount; m++)
            {
                if (!one.Forecasts(m).Slice(key * h, h).SequenceEqual(lane.Forecasts(m).Slice(key / 2 * h, h))
                    || !one.Lower(m).Slice(key * h, h).SequenceEqual(lane.Lower(m).Slice(key / 2 * h, h))
                    || !one.Upper(m).Slice(key * h, h).SequenceEqual(lane.Upper(m).Slice(key / 2 * h, h)))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
