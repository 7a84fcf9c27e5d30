using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SmartCity.Streams.Operators.Anomaly;

namespace SmartCity.Streams.Benchmarks.Operators.Anomaly;

/// <summary>Rows per second of the anomaly kernels over batches of interleaved sensors, beside a hand-written
/// uncalibrated EWMA z-score loop (the floor) and the same EWMA as an Rx.NET pipeline (the usual alternative).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AnomalyDetectorBenchmarks
{
    private int[] _keys = [];
    private long[] _times = [];
    private double[] _values = [];
    private double[] _scores = [];
    private SensorFaults[] _faults = [];
    private double[] _mean = [];
    private double[] _var = [];
    private AnomalyDetector _ewma = null!;
    private AnomalyDetector _robust = null!;
    private AnomalyDetector _seasonal = null!;
    private AnomalyDetector _ensemble = null!;
    private AnomalyDetector _normalisedEnsemble = null!;
    private SensorFaultDetector _sensorFaults = null!;
    private Subject<(int Key, double Value)> _subject = null!;
    private IDisposable _subscription = null!;
    private double _sink;

    [Params(4096)]
    public int BatchSize { get; set; }

    [Params(1000)]
    public int Sensors { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _keys = new int[BatchSize];
        _times = new long[BatchSize];
        _values = new double[BatchSize];
        for (int i = 0; i < BatchSize; i++)
        {
            _keys[i] = i % Sensors;
            _times[i] = 1_700_000_000_000_000 + ((i / Sensors) * 300_000_000L);
            _values[i] = 60 + (10 * Math.Sin(i * 0.01)) + random.NextDouble();
        }

        _scores = new double[BatchSize];
        _faults = new SensorFaults[BatchSize];
        _mean = new double[Sensors];
        _var = new double[Sensors];
        _ewma = new EwmaZScoreDetector();
        _robust = new RobustZScoreDetector();
        _seasonal = new SeasonalBaselineDetector();
        _ensemble = new EnsembleDetector();
        _normalisedEnsemble = new EnsembleDetector(EnsembleDetector.CreateDefaultMembers(new CalibrationOptions { EvidenceBlockRows = 250 }));
        _sensorFaults = new SensorFaultDetector();
        _subject = new Subject<(int Key, double Value)>();
        var mean = new double[Sensors];
        _subscription = _subject.Select(r =>
        {
            double d = r.Value - mean[r.Key];
            mean[r.Key] += 0.02 * d;
            return d;
        }).Subscribe(d => _sink += d);
        for (int w = 0; w < 100; w++)
        {
            Ensemble();
            NormalisedEnsemble();
            Seasonal();
            Robust();
            Ewma();
            Faults();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _subscription.Dispose();

    [Benchmark(Baseline = true), BenchmarkCategory("ewma-class")]
    public void HandLoopEwmaZ()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            int k = _keys[i];
            double d = _values[i] - _mean[k];
            _scores[i] = Math.Abs(d) / (Math.Sqrt(_var[k]) + 1e-9);
            _mean[k] += 0.02 * d;
            _var[k] = 0.98 * (_var[k] + (0.02 * d * d));
        }
    }

    [Benchmark, BenchmarkCategory("ewma-class")]
    public void RxEwma()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            _subject.OnNext((_keys[i], _values[i]));
        }
    }

    [Benchmark, BenchmarkCategory("ewma-class")]
    public void Ewma() => _ewma.Score(_keys, _times, _values, _scores);

    [Benchmark, BenchmarkCategory("ewma-class")]
    public void Faults() => _sensorFaults.Check(_keys, _times, _values, _faults);

    [Benchmark, BenchmarkCategory("seasonal-robust")]
    public void Robust() => _robust.Score(_keys, _times, _values, _scores);

    [Benchmark, BenchmarkCategory("seasonal-robust")]
    public void Seasonal() => _seasonal.Score(_keys, _times, _values, _scores);

    [Benchmark, BenchmarkCategory("seasonal-robust")]
    public void Ensemble() => _ensemble.Score(_keys, _times, _values, _scores);

    [Benchmark, BenchmarkCategory("seasonal-robust")]
    public void NormalisedEnsemble() => _normalisedEnsemble.Score(_keys, _times, _values, _scores);
}
