using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Benchmarks.Data;
using SmartCity.Streams.Operators.Windowing;
using SmartCity.Streams.Pipeline;

namespace SmartCity.Streams.Benchmarks;

/// <summary>
/// Window workloads over the shared data set (20M readings of 10,000 sensors, one per sensor per second,
/// timestamps 0.1 ms apart, Arrow batches of 64K rows; <c>SCS_BENCH_ROWS</c> shrinks it for smoke runs):
/// (b) tumbling 60 s count + mean, (c) hopping 300 s / 60 s mean, (d) tumbling 60 s p95. Baseline of each
/// category: a hand-written loop over plain arrays with per-key accumulators; beside it Rx.NET operators
/// (GroupBy + Aggregate) and an Rx.NET Subject feeding a dictionary of per-key state.
/// </summary>
/// <remarks>
/// Each engine invocation is a fresh run over the whole stream (the event times restart), so its allocation
/// column includes growing the per-sensor state once; the steady state allocates nothing per batch (see
/// <c>WindowAllocationTests</c>).
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class WindowBenchmarks
{
    private const long Minute = 60 * EventTime.MicrosPerSecond;
    private const long Tumbling = Minute;
    private const long HopSize = 5 * Minute;
    private const long Hop = Minute;
    private const int PanesPerWindow = (int)(HopSize / Hop);

    private Readings _data = null!;
    private StreamPipeline _tumbling = null!;
    private StreamPipeline _hopping = null!;
    private StreamPipeline _p95 = null!;
    private CountingSink _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = Readings.Shared;
        _sink = new CountingSink();
        _tumbling = StreamPipeline.Create("sensor", "time", "speed")
            .TumblingWindow(TimeSpan.FromMinutes(1), new WindowMeasure("speed", AggregateKinds.Count | AggregateKinds.Mean))
            .SendBatchesTo(_sink).Build();
        _hopping = StreamPipeline.Create("sensor", "time", "speed")
            .HoppingWindow(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), new WindowMeasure("speed", AggregateKinds.Mean))
            .SendBatchesTo(_sink).Build();
        _p95 = StreamPipeline.Create("sensor", "time", "speed")
            .TumblingWindow(TimeSpan.FromMinutes(1), new WindowMeasure("speed", AggregateKinds.P95))
            .SendBatchesTo(_sink).Build();
    }

    // ---------------------------------------------------------------- (b) tumbling 60 s, count + mean

    [Benchmark(Baseline = true), BenchmarkCategory("window-b-tumbling-count-mean")]
    public double Tumbling_HandLoop()
    {
        var keys = _data.Keys;
        var times = _data.Times;
        var values = _data.Values;
        var window = new long[Readings.Sensors];
        var count = new long[Readings.Sensors];
        var sum = new double[Readings.Sensors];
        Array.Fill(window, long.MinValue);
        double checksum = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var k = keys[i];
            var w = times[i] / Tumbling;
            if (w != window[k])
            {
                if (count[k] > 0)
                {
                    checksum += count[k] + (sum[k] / count[k]);
                }

                window[k] = w;
                count[k] = 0;
                sum[k] = 0;
            }

            count[k]++;
            sum[k] += values[i];
        }

        for (var k = 0; k < count.Length; k++)
        {
            if (count[k] > 0)
            {
                checksum += count[k] + (sum[k] / count[k]);
            }
        }

        return checksum;
    }

    [Benchmark, BenchmarkCategory("window-b-tumbling-count-mean")]
    public long Tumbling_Pipeline() => RunPipeline(_tumbling);

    [Benchmark, BenchmarkCategory("window-b-tumbling-count-mean")]
    public int Tumbling_RxOperators()
    {
        var keys = _data.Keys;
        var times = _data.Times;
        var values = _data.Values;
        return Observable.Range(0, keys.Length)
            .GroupBy(i => (keys[i], times[i] / Tumbling))
            .SelectMany(g => g.Aggregate((Count: 0L, Sum: 0.0), (a, i) => (a.Count + 1, a.Sum + values[i])).Select(a => a.Sum / a.Count))
            .Count()
            .Wait();
    }

    [Benchmark, BenchmarkCategory("window-b-tumbling-count-mean")]
    public double Tumbling_RxSubject()
    {
        var observer = new TumblingObserver(_data);
        PushRowIndices(observer);
        return observer.Flush();
    }

    // ---------------------------------------------------------------- (c) hopping 300 s / 60 s, mean

    [Benchmark(Baseline = true), BenchmarkCategory("window-c-hopping-mean")]
    public double Hopping_HandLoop()
    {
        var keys = _data.Keys;
        var times = _data.Times;
        var values = _data.Values;
        var pane = new long[Readings.Sensors];
        var count = new long[Readings.Sensors * PanesPerWindow];
        var sum = new double[Readings.Sensors * PanesPerWindow];
        Array.Fill(pane, long.MinValue);
        double checksum = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var k = keys[i];
            var p = times[i] / Hop;
            if (p != pane[k])
            {
                if (pane[k] == long.MinValue)
                {
                    pane[k] = p;
                }

                // Each pane that ends emits the window of the last five panes, then its ring slot is reused.
                while (pane[k] < p)
                {
                    checksum += Mean(count, sum, k);
                    pane[k]++;
                    var slot = (k * PanesPerWindow) + (int)(pane[k] % PanesPerWindow);
                    count[slot] = 0;
                    sum[slot] = 0;
                }
            }

            var s = (k * PanesPerWindow) + (int)(p % PanesPerWindow);
            count[s]++;
            sum[s] += values[i];
        }

        for (var k = 0; k < Readings.Sensors; k++)
        {
            for (var tail = 0; tail < PanesPerWindow && pane[k] != long.MinValue; tail++)
            {
                checksum += Mean(count, sum, k);
                pane[k]++;
                var slot = (k * PanesPerWindow) + (int)(pane[k] % PanesPerWindow);
                count[slot] = 0;
                sum[slot] = 0;
            }
        }

        return checksum;
    }

    [Benchmark, BenchmarkCategory("window-c-hopping-mean")]
    public long Hopping_Pipeline() => RunPipeline(_hopping);

    [Benchmark, BenchmarkCategory("window-c-hopping-mean")]
    public int Hopping_RxOperators()
    {
        var keys = _data.Keys;
        var times = _data.Times;
        var values = _data.Values;
        return Observable.Range(0, keys.Length)
            .SelectMany(i => Observable.Range(0, PanesPerWindow).Select(j => (Key: keys[i], Start: ((times[i] / Hop) - j) * Hop, Value: values[i])))
            .GroupBy(r => (r.Key, r.Start))
            .SelectMany(g => g.Average(r => r.Value))
            .Count()
            .Wait();
    }

    [Benchmark, BenchmarkCategory("window-c-hopping-mean")]
    public double Hopping_RxSubject()
    {
        var observer = new HoppingObserver(_data);
        PushRowIndices(observer);
        return observer.Flush();
    }

    // ---------------------------------------------------------------- (d) tumbling 60 s, p95

    [Benchmark(Baseline = true), BenchmarkCategory("window-d-tumbling-p95")]
    public double P95_HandLoop()
    {
        const int Capacity = 128;
        var keys = _data.Keys;
        var times = _data.Times;
        var values = _data.Values;
        var window = new long[Readings.Sensors];
        var count = new int[Readings.Sensors];
        var buffer = new double[Readings.Sensors * Capacity];
        Array.Fill(window, long.MinValue);
        double checksum = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var k = keys[i];
            var w = times[i] / Tumbling;
            if (w != window[k])
            {
                checksum += P95(buffer, k * Capacity, count[k]);
                window[k] = w;
                count[k] = 0;
            }

            if (count[k] < Capacity)
            {
                buffer[(k * Capacity) + count[k]++] = values[i];
            }
        }

        for (var k = 0; k < Readings.Sensors; k++)
        {
            checksum += P95(buffer, k * Capacity, count[k]);
        }

        return checksum;
    }

    [Benchmark, BenchmarkCategory("window-d-tumbling-p95")]
    public long P95_Pipeline() => RunPipeline(_p95);

    [Benchmark, BenchmarkCategory("window-d-tumbling-p95")]
    public int P95_RxOperators()
    {
        var keys = _data.Keys;
        var times = _data.Times;
        var values = _data.Values;
        return Observable.Range(0, keys.Length)
            .GroupBy(i => (keys[i], times[i] / Tumbling))
            .SelectMany(g => g.Select(i => values[i]).ToList().Select(list =>
            {
                var sorted = list.Order().ToList();
                return sorted[(int)Math.Floor(0.95 * (sorted.Count - 1))];
            }))
            .Count()
            .Wait();
    }

    [Benchmark, BenchmarkCategory("window-d-tumbling-p95")]
    public double P95_RxSubject()
    {
        var observer = new P95Observer(_data);
        PushRowIndices(observer);
        return observer.Flush();
    }

    private long RunPipeline(StreamPipeline pipeline)
    {
        var before = _sink.Rows;
        using var run = pipeline.CreateRun();
        foreach (var batch in _data.Batches)
        {
            run.Process(batch);
        }

        run.Complete();
        return _sink.Rows - before;
    }

    private static double Mean(long[] count, double[] sum, int key)
    {
        long n = 0;
        double s = 0;
        for (var j = 0; j < PanesPerWindow; j++)
        {
            n += count[(key * PanesPerWindow) + j];
            s += sum[(key * PanesPerWindow) + j];
        }

        return n == 0 ? 0 : s / n;
    }

    private static double P95(double[] buffer, int offset, int n)
    {
        if (n == 0)
        {
            return 0;
        }

        Array.Sort(buffer, offset, n);
        return buffer[offset + (int)Math.Floor(0.95 * (n - 1))];
    }

    private sealed class CountingSink : IBatchSink
    {
        public long Rows { get; private set; }

        public void OnBatch(StreamBatch batch) => Rows += batch.Length;

        public void OnCompleted(Exception? error)
        {
        }
    }

    /// <summary>What an Rx user writes by hand: a dictionary of per-sensor objects behind a subject.</summary>
    /// <summary>The Rx.NET baseline's driver: every row index pushed through a <see cref="Subject{T}"/>.</summary>
    private void PushRowIndices(IObserver<int> observer)
    {
        using var subject = new Subject<int>();
        using (subject.Subscribe(observer))
        {
            for (var i = 0; i < _data.Rows; i++)
            {
                subject.OnNext(i);
            }
        }
    }

    private sealed class TumblingObserver(Readings data) : IObserver<int>
    {
        private readonly Dictionary<int, State> _states = [];
        private double _checksum;

        public void OnNext(int i)
        {
            if (!_states.TryGetValue(data.Keys[i], out var s))
            {
                _states[data.Keys[i]] = s = new State { Window = long.MinValue };
            }

            var w = data.Times[i] / Tumbling;
            if (w != s.Window)
            {
                if (s.Count > 0)
                {
                    _checksum += s.Count + (s.Sum / s.Count);
                }

                s.Window = w;
                s.Count = 0;
                s.Sum = 0;
            }

            s.Count++;
            s.Sum += data.Values[i];
        }

        public double Flush()
        {
            foreach (var s in _states.Values)
            {
                if (s.Count > 0)
                {
                    _checksum += s.Count + (s.Sum / s.Count);
                }
            }

            return _checksum;
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        private sealed class State
        {
            public long Window;
            public long Count;
            public double Sum;
        }
    }

    private sealed class HoppingObserver(Readings data) : IObserver<int>
    {
        private readonly Dictionary<int, State> _states = [];
        private double _checksum;

        public void OnNext(int i)
        {
            if (!_states.TryGetValue(data.Keys[i], out var s))
            {
                _states[data.Keys[i]] = s = new State { Pane = data.Times[i] / Hop };
            }

            var p = data.Times[i] / Hop;
            while (s.Pane < p)
            {
                _checksum += s.Mean();
                s.Pane++;
                s.Count[s.Pane % PanesPerWindow] = 0;
                s.Sum[s.Pane % PanesPerWindow] = 0;
            }

            s.Count[p % PanesPerWindow]++;
            s.Sum[p % PanesPerWindow] += data.Values[i];
        }

        public double Flush()
        {
            foreach (var s in _states.Values)
            {
                for (var tail = 0; tail < PanesPerWindow; tail++)
                {
                    _checksum += s.Mean();
                    s.Pane++;
                    s.Count[s.Pane % PanesPerWindow] = 0;
                    s.Sum[s.Pane % PanesPerWindow] = 0;
                }
            }

            return _checksum;
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        private sealed class State
        {
            public readonly long[] Count = new long[PanesPerWindow];
            public readonly double[] Sum = new double[PanesPerWindow];
            public long Pane;

            public double Mean()
            {
                var n = Count.Sum();
                return n == 0 ? 0 : Sum.Sum() / n;
            }
        }
    }

    private sealed class P95Observer(Readings data) : IObserver<int>
    {
        private readonly Dictionary<int, State> _states = [];
        private double _checksum;

        public void OnNext(int i)
        {
            if (!_states.TryGetValue(data.Keys[i], out var s))
            {
                _states[data.Keys[i]] = s = new State { Window = long.MinValue };
            }

            var w = data.Times[i] / Tumbling;
            if (w != s.Window)
            {
                _checksum += s.P95();
                s.Window = w;
                s.Values.Clear();
            }

            s.Values.Add(data.Values[i]);
        }

        public double Flush()
        {
            foreach (var s in _states.Values)
            {
                _checksum += s.P95();
            }

            return _checksum;
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        private sealed class State
        {
            public readonly List<double> Values = [];
            public long Window;

            public double P95()
            {
                if (Values.Count == 0)
                {
                    return 0;
                }

                Values.Sort();
                return Values[(int)Math.Floor(0.95 * (Values.Count - 1))];
            }
        }
    }
}
