using System.Numerics;
using System.Reactive.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SmartCity.Streams.Benchmarks.Data;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Benchmarks;

/// <summary>
/// Foundation workloads over 20M readings of 10,000 sensors: (a) filter value &gt; threshold and count,
/// (b) per-sensor EWMA (mean, std, z-score per row). Each category has a hand-written loop over plain arrays
/// as its baseline, beside Rx.NET operators and an Rx.NET Subject with a hand-written dictionary.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class FoundationBenchmarks
{
    private const double Threshold = 65;
    private const double Alpha = 0.05;

    private Readings _data = null!;
    private PipelineRun _filterRun = null!;
    private PipelineRun _ewmaRun = null!;
    private StreamPipeline _ewmaPipeline = null!;
    private double[] _mean = null!;
    private double[] _var = null!;
    private long[] _count = null!;
    private double[] _outMean = null!;
    private double[] _outStd = null!;
    private double[] _outZ = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = Readings.Shared;
        _filterRun = StreamPipeline.Create("sensor", "time", "speed").Filter("speed", Comparison.GreaterThan, Threshold).Build().CreateRun();
        _ewmaPipeline = StreamPipeline.Create("sensor", "time", "speed").Ewma("speed", new EwmaOptions { Alpha = Alpha, WarmUp = 10 }).Build();
        _ewmaRun = _ewmaPipeline.CreateRun();
        _mean = new double[Readings.Sensors];
        _var = new double[Readings.Sensors];
        _count = new long[Readings.Sensors];
        _outMean = new double[_data.Rows];
        _outStd = new double[_data.Rows];
        _outZ = new double[_data.Rows];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _filterRun.Dispose();
        _ewmaRun.Dispose();
    }

    // ---------------------------------------------------------------- (a) filter + count

    [Benchmark(Baseline = true), BenchmarkCategory("a-filter-count")]
    public long Filter_HandLoop()
    {
        // The practical limit: a vector compare and a population count per 8 values, as a careful engineer
        // writes it (a scalar loop is about half as fast here, see Filter_HandLoop_Scalar).
        var values = _data.Values;
        long count = 0;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var threshold = Vector512.Create(Threshold);
            ref var start = ref MemoryMarshal.GetArrayDataReference(values);
            for (; i + 8 <= values.Length; i += 8)
            {
                count += BitOperations.PopCount(Vector512.GreaterThan(Vector512.LoadUnsafe(ref start, (nuint)i), threshold).ExtractMostSignificantBits());
            }
        }

        for (; i < values.Length; i++)
        {
            count += values[i] > Threshold ? 1 : 0;
        }

        return count;
    }

    [Benchmark, BenchmarkCategory("a-filter-count")]
    public long Filter_HandLoop_Scalar()
    {
        var values = _data.Values;
        long count = 0;
        for (var i = 0; i < values.Length; i++)
        {
            count += values[i] > Threshold ? 1 : 0;
        }

        return count;
    }

    [Benchmark, BenchmarkCategory("a-filter-count")]
    public long Filter_Pipeline()
    {
        var before = _filterRun.Statistics.RowsOut;
        foreach (var batch in _data.Batches)
        {
            _filterRun.Process(batch);
        }

        return _filterRun.Statistics.RowsOut - before;
    }

    [Benchmark, BenchmarkCategory("a-filter-count")]
    public int Filter_RxOperators() =>
        _data.Values.ToObservable().Where(static v => v > Threshold).Count().Wait();

    [Benchmark, BenchmarkCategory("a-filter-count")]
    public long Filter_RxSubject()
    {
        using var subject = new Subject<double>();
        var counter = new Counter();
        using (subject.Subscribe(counter))
        {
            foreach (var v in _data.Values)
            {
                subject.OnNext(v);
            }
        }

        return counter.Count;
    }

    // ---------------------------------------------------------------- (b) per-sensor EWMA

    [Benchmark(Baseline = true), BenchmarkCategory("b-ewma")]
    public double Ewma_HandLoop()
    {
        var keys = _data.Keys;
        var values = _data.Values;
        var mean = _mean;
        var variance = _var;
        var count = _count;
        var outMean = _outMean;
        var outStd = _outStd;
        var outZ = _outZ;
        for (var i = 0; i < keys.Length; i++)
        {
            var k = keys[i];
            var x = values[i];
            var std = Math.Sqrt(variance[k]);
            var diff = x - mean[k];
            outZ[i] = count[k] < 10 ? double.NaN : std > 0 ? diff / std : 0;
            if (count[k] == 0)
            {
                mean[k] = x;
            }
            else
            {
                var increment = Alpha * diff;
                mean[k] += increment;
                variance[k] = (1 - Alpha) * (variance[k] + (diff * increment));
            }

            count[k]++;
            outMean[i] = mean[k];
            outStd[i] = Math.Sqrt(variance[k]);
        }

        return outMean[^1];
    }

    [Benchmark, BenchmarkCategory("b-ewma")]
    public long Ewma_Pipeline_1Lane()
    {
        var before = _ewmaRun.Statistics.RowsOut;
        foreach (var batch in _data.Batches)
        {
            _ewmaRun.Process(batch);
        }

        return _ewmaRun.Statistics.RowsOut - before;
    }

    [Benchmark, BenchmarkCategory("b-ewma")]
    public long Ewma_Pipeline_2Lanes_Repartitioned() =>
        _ewmaPipeline.RunAsync(new InMemoryBatchSource(_data.Batches), lanes: 2).GetAwaiter().GetResult().RowsOut;

    [Benchmark, BenchmarkCategory("b-ewma")]
    public long Ewma_Pipeline_2Lanes_KeyPartitionedSource() =>
        _ewmaPipeline.RunAsync(new InMemoryBatchSource(_data.Partitioned, partitionsByKey: true), lanes: 2).GetAwaiter().GetResult().RowsOut;

    [Benchmark, BenchmarkCategory("b-ewma")]
    public long Ewma_Pipeline_1Lane_Threaded() =>
        _ewmaPipeline.RunAsync(new InMemoryBatchSource(_data.Batches), lanes: 1).GetAwaiter().GetResult().RowsOut;

    [Benchmark, BenchmarkCategory("b-ewma")]
    public double Ewma_RxGroupByScan()
    {
        var keys = _data.Keys;
        var values = _data.Values;
        var last = 0.0;
        Observable.Range(0, keys.Length)
            .GroupBy(i => keys[i])
            .SelectMany(g => g.Scan((Mean: 0.0, Var: 0.0, N: 0L), (s, i) =>
            {
                var x = values[i];
                if (s.N == 0)
                {
                    return (x, 0.0, 1L);
                }

                var diff = x - s.Mean;
                var increment = Alpha * diff;
                return (s.Mean + increment, (1 - Alpha) * (s.Var + (diff * increment)), s.N + 1);
            }))
            .ForEachAsync(s => last = s.Mean)
            .Wait();
        return last;
    }

    [Benchmark, BenchmarkCategory("b-ewma")]
    public double Ewma_RxSubjectDictionary()
    {
        using var subject = new Subject<(int Key, double Value)>();
        var observer = new EwmaDictionaryObserver();
        using (subject.Subscribe(observer))
        {
            var keys = _data.Keys;
            var values = _data.Values;
            for (var i = 0; i < keys.Length; i++)
            {
                subject.OnNext((keys[i], values[i]));
            }
        }

        return observer.Last;
    }

    private sealed class Counter : IObserver<double>
    {
        public long Count { get; private set; }

        public void OnNext(double value)
        {
            if (value > Threshold)
            {
                Count++;
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }

    private sealed class EwmaDictionaryObserver : IObserver<(int Key, double Value)>
    {
        private readonly Dictionary<int, (double Mean, double Var, long N)> _state = [];

        public double Last { get; private set; }

        public void OnNext((int Key, double Value) reading)
        {
            ref var s = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_state, reading.Key, out _);
            if (s.N == 0)
            {
                s.Mean = reading.Value;
            }
            else
            {
                var diff = reading.Value - s.Mean;
                var increment = Alpha * diff;
                s.Mean += increment;
                s.Var = (1 - Alpha) * (s.Var + (diff * increment));
            }

            s.N++;
            Last = s.Mean;
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
