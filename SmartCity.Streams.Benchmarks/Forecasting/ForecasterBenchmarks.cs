using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SmartCity.Streams.Operators.Forecasting;

namespace SmartCity.Streams.Benchmarks.Forecasting;

/// <summary>
/// One closed step of <see cref="Keys"/> sensors with 12 horizons: readings in, every model updated, forecasts and
/// intervals out. One operation = one sensor-update, so the table reads directly as time per sensor-update.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ForecasterBenchmarks
{
    private const int Horizon = 12;
    private static readonly long Step = TimeSpan.FromMinutes(5).Ticks / TimeSpan.TicksPerMicrosecond;

    private OnlineForecaster _seasonalNaive = null!;
    private OnlineForecaster _historicalAverage = null!;
    private OnlineForecaster _autoregressive = null!;
    private OnlineForecaster _all = null!;
    private int[] _keys = [];
    private long[] _times = [];
    private double[] _values = [];
    private double[] _history = [];
    private double[] _forecasts = [];
    private double[] _sinKey = [];
    private double[] _cosKey = [];
    private double[] _offset = [];
    private int _t;
    private Subject<(int Key, double Value)> _subject = null!;
    private IDisposable _subscription = null!;
    private double[] _rxHistory = [];
    private double[] _rxForecasts = [];
    private int _rxSlot;
    private double _rxSink;

    [Params(1024)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _seasonalNaive = Create(ForecastModels.SeasonalNaive);
        _historicalAverage = Create(ForecastModels.HistoricalAverage);
        _autoregressive = Create(ForecastModels.Autoregressive);
        _all = Create(ForecastModels.All);
        _keys = Enumerable.Range(0, Keys).ToArray();
        _times = new long[Keys];
        _values = new double[Keys];
        _history = new double[Keys * 288];
        _forecasts = new double[Keys * Horizon];
        _rxHistory = new double[Keys * 288];
        _rxForecasts = new double[Keys * Horizon];
        _subject = new Subject<(int Key, double Value)>();
        _subscription = _subject.Select(SeasonalNaiveInRx).Subscribe(f => _rxSink += f);
        _sinKey = new double[Keys];
        _cosKey = new double[Keys];
        _offset = new double[Keys];
        for (int k = 0; k < Keys; k++)
        {
            _sinKey[k] = Math.Sin(k / 40.0);
            _cosKey[k] = Math.Cos(k / 40.0);
            _offset[k] = 50 + ((k * 7919 % 13) / 13.0);
        }

        for (_t = 0; _t < 3 * 288; _t++)
        {
            Fill();
            foreach (var f in new[] { _seasonalNaive, _historicalAverage, _autoregressive, _all })
            {
                f.Update(_keys, _times, _values);
                f.TryAdvance((_t + 1) * Step);
            }
        }
    }

    [BenchmarkCategory("baseline"), Benchmark(Baseline = true, OperationsPerInvoke = 1024)]
    public double HandLoopSeasonalNaive()
    {
        // What a hand-written seasonal naive costs: store the value, copy the next H values of the same slot a day ago.
        int m = 288;
        int slot = _t % m;
        double sum = 0;
        for (int k = 0; k < _values.Length; k++)
        {
            _history[(k * m) + slot] = _values[k];
            for (int j = 0; j < Horizon; j++)
            {
                double f = _history[(k * m) + ((slot + j + 1) % m)];
                _forecasts[(k * Horizon) + j] = f;
                sum += f;
            }
        }

        _t++;
        return sum;
    }

    [BenchmarkCategory("baseline"), Benchmark(OperationsPerInvoke = 1024)]
    public double RxSeasonalNaive()
    {
        // Rx.NET for transport, the seasonal naive state kept by hand (as RxEwma in the detector benchmarks): one OnNext
        // per reading; like the forecasters, the readings are generated inside the measured step.
        Fill();
        _rxSlot = _t % 288;
        for (int k = 0; k < _values.Length; k++)
        {
            _subject.OnNext((k, _values[k]));
        }

        _t++;
        return _rxSink;
    }

    [BenchmarkCategory("baseline"), Benchmark(OperationsPerInvoke = 1024)]
    public double SeasonalNaive() => Advance(_seasonalNaive);

    [BenchmarkCategory("baseline"), Benchmark(OperationsPerInvoke = 1024)]
    public double HistoricalAverage() => Advance(_historicalAverage);

    [BenchmarkCategory("model"), Benchmark(OperationsPerInvoke = 1024)]
    public double Autoregressive() => Advance(_autoregressive);

    [BenchmarkCategory("model"), Benchmark(OperationsPerInvoke = 1024)]
    public double AllModelsCombined() => Advance(_all);

    [GlobalCleanup]
    public void Cleanup() => _subscription.Dispose();

    private double SeasonalNaiveInRx((int Key, double Value) reading)
    {
        const int m = 288;
        int row = reading.Key * m;
        _rxHistory[row + _rxSlot] = reading.Value;
        double first = 0;
        for (int j = 0; j < Horizon; j++)
        {
            double f = _rxHistory[row + ((_rxSlot + j + 1) % m)];
            _rxForecasts[(reading.Key * Horizon) + j] = f;
            first = j == 0 ? f : first;
        }

        return first;
    }

    private static OnlineForecaster Create(ForecastModels models) =>
        new(new ForecasterOptions { Horizon = Horizon, Models = models, InitialKeyCapacity = 1024 });

    private double Advance(OnlineForecaster forecaster)
    {
        Fill();
        forecaster.Update(_keys, _times, _values);
        forecaster.TryAdvance((_t + 1) * Step);
        _t++;

        // Read what an operator emits: the output model's forecasts and intervals.
        int m = forecaster.ModelCount - 1;
        return forecaster.Forecasts(m)[0] + forecaster.Lower(m)[0] + forecaster.Upper(m)[0];
    }

    /// <summary>
    /// This step's readings: 50 + 10 sin((t + k) / 40) plus a per-key offset. The sine goes through the angle-sum rule
    /// with per-key terms precomputed, so generating the input (one sine per sensor took about 9 ns, most of what was
    /// left to measure) does not swamp the forecaster it feeds; the values are the same up to rounding.
    /// </summary>
    private void Fill()
    {
        long time = _t * Step;
        double sinStep = 10 * Math.Sin(_t / 40.0);
        double cosStep = 10 * Math.Cos(_t / 40.0);
        for (int k = 0; k < _values.Length; k++)
        {
            _times[k] = time;
            _values[k] = _offset[k] + ((sinStep * _cosKey[k]) + (cosStep * _sinKey[k]));
        }
    }
}
