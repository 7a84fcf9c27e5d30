using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Online multi-horizon forecaster for many keys. Readings are averaged into fixed steps; a global step clock closes
/// steps when the watermark passes them (<see cref="TryAdvance"/>), and every closed step updates every model of every
/// key once and issues forecasts for the next <see cref="ForecasterOptions.Horizon"/> steps with prediction intervals
/// from online residual quantiles. State lives in flat arrays indexed by dense keys 0..K-1 and grows on demand.
/// </summary>
/// <remarks>
/// Gap handling: a key without a reading in a closed step gets a missing value: models carry their state forward without
/// learning and keep forecasting. Readings for a step that is already closed are late: they are counted in
/// <see cref="LateReadings"/> and dropped. Readings more than <see cref="ForecasterOptions.MaxOpenSteps"/> steps ahead of
/// the clock advance it. NaN, infinities and values beyond ±1e12 count as missing. Not thread-safe: one instance per lane.
/// </remarks>
public sealed class OnlineForecaster
{
    private const double MaxAbsValue = 1e12;
    private const double QuantileRate = 0.05;
    private const int InitialRing = 16;
    private const double CombineCutoff = 2;

    private readonly long _stepMicros;
    private readonly int _horizon;
    private readonly int _maxRing;
    private int _ring;
    private readonly ForecastModel[] _models;
    private readonly ForecastModels[] _kinds;
    private readonly int _combined;
    private readonly double _tauLow;
    private readonly double _tauHigh;
    private readonly double _errorSmoothing;

    private int _keyCount;
    private int _capacity;
    private long _clock = long.MinValue;
    private long _late;
    private long _forced;
    private double[] _pendingSum = [];
    private double[] _pendingCount = [];
    private double[] _values = [];
    private double[] _last = [];
    private double[][] _point;
    private double[][] _lower;
    private double[][] _upper;
    private bool[] _intervalsValid;
    private bool[] _pointValid;
    private readonly bool[] _invariant;
    private double[][] _raw;
    private double[][] _issued;
    private double[][] _mse;
    private double[][] _absError;
    private double[][] _qLow;
    private double[][] _qHigh;
    private readonly int[] _issueOffsets;
    private readonly double[] _due;
    private readonly int[] _combineErrorAt;

    /// <summary>Creates a forecaster; throws <see cref="ArgumentOutOfRangeException"/> for invalid options.</summary>
    public OnlineForecaster(ForecasterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _stepMicros = options.StepMicros;
        _horizon = options.Horizon;
        _issueOffsets = new int[_horizon];
        _due = new double[_horizon];
        _maxRing = options.MaxOpenSteps;
        _ring = Math.Min(InitialRing, _maxRing);
        _tauLow = (1 - options.IntervalCoverage) / 2;
        _tauHigh = 1 - _tauLow;
        _errorSmoothing = options.ErrorSmoothing;

        var grid = new SeasonGrid(options.Step);
        long slotTicks = Math.Max(options.Step.Ticks, TimeSpan.TicksPerDay / grid.DaySlots);
        int quarterHour = (int)(TimeSpan.FromMinutes(15).Ticks / slotTicks);
        var models = new List<ForecastModel>();
        var kinds = new List<ForecastModels>();
        ForecastModels m = options.Models;
        Add(ForecastModels.Persistence, new PersistenceModel(_horizon));
        Add(ForecastModels.SeasonalNaive, new SeasonalNaiveModel(_horizon, grid));
        Add(ForecastModels.HistoricalAverage, new HistoricalAverageModel(_horizon, grid));
        Add(ForecastModels.HoltWinters, new HoltWintersModel(_horizon, grid, options.TrendDamping));
        Add(ForecastModels.Autoregressive, new AutoregressiveModel(_horizon, grid, quarterHour, options.AutoregressiveOrder, options.NeighbourLags, options.ForgettingFactor, options.Graph));
        _combined = -1;
        if ((m & ForecastModels.Combined) != 0)
        {
            if (models.Count == 0)
            {
                // A combination of nothing is the strongest single model.
                Add(ForecastModels.Autoregressive | ForecastModels.Combined, new AutoregressiveModel(_horizon, grid, quarterHour, options.AutoregressiveOrder, options.NeighbourLags, options.ForgettingFactor, options.Graph));
                kinds[^1] = ForecastModels.Autoregressive;
            }

            _combined = models.Count;
            kinds.Add(ForecastModels.Combined);
        }

        _models = [.. models];
        _kinds = [.. kinds];
        _combineErrorAt = new int[_models.Length];
        int count = _kinds.Length;
        _point = NewJagged(count);
        _lower = NewJagged(count);
        _upper = NewJagged(count);
        _intervalsValid = new bool[count];
        _pointValid = new bool[count];
        _invariant = new bool[count];
        for (int i = 0; i < _models.Length; i++)
        {
            _invariant[i] = _models[i].IsHorizonInvariant;
        }

        _raw = NewJagged(count);
        _issued = NewJagged(count);
        _mse = NewJagged(count);
        _absError = NewJagged(count);
        _qLow = NewJagged(count);
        _qHigh = NewJagged(count);
        EnsureCapacity(options.InitialKeyCapacity);

        void Add(ForecastModels kind, ForecastModel model)
        {
            if ((m & kind) != 0)
            {
                models.Add(model);
                kinds.Add(kind & ~ForecastModels.Combined);
            }
        }
    }

    /// <summary>Forecast horizon H: forecasts cover steps t+1..t+H.</summary>
    public int Horizon => _horizon;

    /// <summary>Number of keys seen so far (largest key + 1).</summary>
    public int KeyCount => _keyCount;

    /// <summary>Number of model outputs: one per enabled model, the combination last.</summary>
    public int ModelCount => _kinds.Length;

    /// <summary>Readings dropped because their step had already been closed.</summary>
    public long LateReadings => _late;

    /// <summary>Steps closed because a reading ran more than <see cref="ForecasterOptions.MaxOpenSteps"/> steps ahead of the clock; their forecasts were never observable.</summary>
    public long ForcedSteps => _forced;

    /// <summary>Step length in microseconds.</summary>
    public long StepMicros => _stepMicros;

    /// <summary>Index of the last closed step (time / step), or <see cref="long.MinValue"/> before the first reading.</summary>
    public long LastClosedStep => _clock;

    /// <summary>Start time (microseconds since the Unix epoch) of the last closed step: the issue time of the current forecasts.</summary>
    public long IssuedAtMicros => _clock == long.MinValue ? long.MinValue : _clock * _stepMicros;

    /// <summary>The model whose forecasts <see cref="Forecasts(int)"/> returns at <paramref name="modelIndex"/>.</summary>
    public ForecastModels ModelAt(int modelIndex) => _kinds[modelIndex];

    /// <summary>Output index of <paramref name="model"/>, or -1 when it is not enabled.</summary>
    public int IndexOf(ForecastModels model) => Array.IndexOf(_kinds, model);

    /// <summary>Point forecasts of a model after the last closed step, laid out [key * Horizon + h - 1]; always finite.</summary>
    /// <remarks>The seasonal baselines keep forecasts by target step and lay them (and their intervals) out here, on the first read after a step.</remarks>
    public ReadOnlySpan<double> Forecasts(int modelIndex)
    {
        EnsurePoint(modelIndex, intervals: true);
        return _point[modelIndex].AsSpan(0, _keyCount * _horizon);
    }

    /// <summary>Lower interval bounds, laid out like <see cref="Forecasts(int)"/>.</summary>
    public ReadOnlySpan<double> Lower(int modelIndex)
    {
        EnsureIntervals(modelIndex);
        return _lower[modelIndex].AsSpan(0, _keyCount * _horizon);
    }

    /// <summary>Upper interval bounds, laid out like <see cref="Forecasts(int)"/>.</summary>
    public ReadOnlySpan<double> Upper(int modelIndex)
    {
        EnsureIntervals(modelIndex);
        return _upper[modelIndex].AsSpan(0, _keyCount * _horizon);
    }

    /// <summary>
    /// Adds readings (dense key, event time in microseconds since the Unix epoch, value). Several readings of a key in
    /// one step are averaged. Forecasts change only when <see cref="TryAdvance"/> closes a step.
    /// </summary>
    public void Update(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values)
    {
        if (keys.Length != timesMicros.Length || keys.Length != values.Length)
        {
            ThrowHelper.Argument(nameof(keys), "keys, timesMicros and values must have the same length.");
        }

        // Rows of a batch mostly share a step: its index, ring row and lateness are worked out once per run of rows, and
        // the state the loop touches lives in locals, reloaded only after the rare paths that replace it.
        bool cached = false;
        bool late = false;
        long cachedStart = 0;
        int slot = 0;
        int row = 0;
        long stepMicros = _stepMicros;
        int keyCount = _keyCount;
        double[] sum = _pendingSum;
        double[] count = _pendingCount;
        for (int i = 0; i < keys.Length; i++)
        {
            int key = keys[i];
            if ((uint)key >= 1u << 24)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(keys), "Keys must be dense indices in 0..16777215.");
            }

            double v = values[i];
            if (!(Math.Abs(v) <= MaxAbsValue))
            {
                continue;
            }

            long time = timesMicros[i];
            if (!cached || (ulong)(time - cachedStart) >= (ulong)stepMicros)
            {
                cached = true;
                long step = FloorDiv(time, stepMicros);
                cachedStart = step * stepMicros;
                late = EnterStep(step);
                slot = FlatState.Mod(step, _ring);
                row = slot * _capacity;
                sum = _pendingSum;
                count = _pendingCount;
            }

            if (late)
            {
                _late++;
                continue;
            }

            if (key >= keyCount)
            {
                // Growth re-lays the ring out for the new capacity: find this step's row again.
                AddKeys(key + 1);
                keyCount = _keyCount;
                row = slot * _capacity;
                sum = _pendingSum;
                count = _pendingCount;
            }

            sum[row + key] += v;
            count[row + key] += 1;
        }
    }

    /// <summary>Starts the clock at the first reading and makes room for a reading of <paramref name="step"/>; returns true when that step is already closed (late).</summary>
    private bool EnterStep(long step)
    {
        if (_clock == long.MinValue)
        {
            _clock = step - 1;
        }

        if (step <= _clock)
        {
            return true;
        }

        if (step > _clock + _ring)
        {
            RunAhead(step);
        }

        return false;
    }

    /// <summary>
    /// Closes the next step if the watermark (microseconds since the Unix epoch) has passed its end, and returns true;
    /// call it in a loop and read the forecasts after each true.
    /// </summary>
    public bool TryAdvance(long watermarkMicros)
    {
        if (_clock == long.MinValue || FloorDiv(watermarkMicros, _stepMicros) <= _clock + 1)
        {
            return false;
        }

        CloseStep();
        return true;
    }

    /// <summary>Writes the whole state (versioned) so <see cref="ReadState"/> on a forecaster with the same options resumes exactly.</summary>
    public void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(StateVersion);
        writer.Write(_stepMicros);
        writer.Write(_horizon);
        writer.Write(_kinds.Length);
        writer.Write(_keyCount);
        writer.Write(_clock);
        writer.Write(_late);
        int kh = _keyCount * _horizon;
        writer.Write(_forced);
        WritePending(writer);
        FlatState.Write(writer, _last, _keyCount);
        for (int m = 0; m < _kinds.Length; m++)
        {
            // Invariant models keep forecasts by target and one residual state per key; their point forecasts are
            // derived from those and the model state, so they are not part of the snapshot.
            int stats = _invariant[m] ? _keyCount : kh;
            if (_invariant[m])
            {
                ForecastModel.WriteRows(writer, _raw[m], _horizon, _capacity, _keyCount);
            }
            else
            {
                FlatState.Write(writer, _point[m], kh);
                WriteIssued(writer, _issued[m]);
            }

            FlatState.Write(writer, _mse[m], stats);
            FlatState.Write(writer, _absError[m], stats);
            FlatState.Write(writer, _qLow[m], stats);
            FlatState.Write(writer, _qHigh[m], stats);
        }

        for (int m = 0; m < _models.Length; m++)
        {
            _models[m].Write(writer, _keyCount);
        }
    }

    /// <summary>Restores a state written by <see cref="WriteState"/> from a forecaster with the same options.</summary>
    public void ReadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.ReadInt32() != StateVersion || reader.ReadInt64() != _stepMicros || reader.ReadInt32() != _horizon || reader.ReadInt32() != _kinds.Length)
        {
            throw new InvalidDataException("The forecaster state was written with another version or other options.");
        }

        int keys = reader.ReadInt32();
        _clock = reader.ReadInt64();
        _late = reader.ReadInt64();
        _forced = reader.ReadInt64();
        EnsureCapacity(keys);
        _keyCount = keys;
        ReadPending(reader);
        FlatState.Read(reader, ref _last, double.NaN);
        for (int m = 0; m < _kinds.Length; m++)
        {
            if (_invariant[m])
            {
                ForecastModel.ReadRows(reader, _raw[m], _horizon, _capacity, double.NaN);
            }
            else
            {
                FlatState.Read(reader, ref _point[m], 0);
                ReadIssued(reader, _issued[m]);
            }

            FlatState.Read(reader, ref _mse[m], double.NaN);
            FlatState.Read(reader, ref _absError[m], double.NaN);
            FlatState.Read(reader, ref _qLow[m], 0);
            FlatState.Read(reader, ref _qHigh[m], 0);
        }

        for (int m = 0; m < _models.Length; m++)
        {
            _models[m].Read(reader);
        }

        Array.Clear(_intervalsValid);
        Array.Clear(_pointValid);
    }

    // 2: issued forecasts kept by target step instead of by issue step.
    // 3: horizon-invariant models keep forecasts by target and residual state per key; slot-major pending steps and
    // seasonal-naive history.
    // 4: the historical average no longer snapshots which day slots have data (its profile knows).
    private const int StateVersion = 4;

    /// <summary>
    /// Writes the open steps in step order, only as far as the newest one holding a reading, so the snapshot does not
    /// depend on how large the ring happened to grow (which depends on how the input was batched).
    /// </summary>
    private void WritePending(BinaryWriter writer)
    {
        int open = 0;
        if (_clock != long.MinValue)
        {
            for (int d = _ring; d > 0 && open == 0; d--)
            {
                int row = FlatState.Mod(_clock + d, _ring) * _capacity;
                for (int k = 0; k < _keyCount; k++)
                {
                    if (_pendingCount[row + k] > 0)
                    {
                        open = d;
                        break;
                    }
                }
            }
        }

        writer.Write(open);
        for (int d = 1; d <= open; d++)
        {
            int row = FlatState.Mod(_clock + d, _ring) * _capacity;
            for (int k = 0; k < _keyCount; k++)
            {
                writer.Write(_pendingSum[row + k]);
                writer.Write(_pendingCount[row + k]);
            }
        }
    }

    private void ReadPending(BinaryReader reader)
    {
        int open = reader.ReadInt32();
        if (open < 0 || open > _maxRing)
        {
            throw new InvalidDataException("The forecaster state holds more open steps than MaxOpenSteps.");
        }

        _ring = Math.Max(Math.Min(InitialRing, _maxRing), open);
        _pendingSum = new double[_capacity * _ring];
        _pendingCount = new double[_capacity * _ring];
        for (int d = 1; d <= open; d++)
        {
            int row = FlatState.Mod(_clock + d, _ring) * _capacity;
            for (int k = 0; k < _keyCount; k++)
            {
                _pendingSum[row + k] = reader.ReadDouble();
                _pendingCount[row + k] = reader.ReadDouble();
            }
        }
    }

    /// <summary>True once <paramref name="key"/> has had a value; keys without one carry placeholder forecasts.</summary>
    internal bool HasValue(int key) => (uint)key < (uint)_keyCount && !double.IsNaN(_last[key]);

    /// <summary>Replaces the road graph of the autoregressive models (the engine maps sensor ids to lane-local keys as they appear).</summary>
    internal void SetGraph(RoadGraph graph)
    {
        foreach (ForecastModel model in _models)
        {
            if (model is AutoregressiveModel ar)
            {
                ar.SetGraph(graph);
            }
        }
    }

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && a < 0) ? q - 1 : q;
    }

    private static double[][] NewJagged(int count)
    {
        var a = new double[count][];
        for (int i = 0; i < count; i++)
        {
            a[i] = [];
        }

        return a;
    }

    /// <summary>
    /// A reading lies beyond the open-step ring: grow the ring up to <see cref="ForecasterOptions.MaxOpenSteps"/> (rare,
    /// allocates), and past that close the oldest steps without waiting for the watermark. Their forecasts are not
    /// observable by the caller, so they are counted in <see cref="ForcedSteps"/>.
    /// </summary>
    private void RunAhead(long step)
    {
        long needed = step - _clock;
        if (_ring < _maxRing)
        {
            int ring = (int)Math.Min(_maxRing, Math.Max(needed, 2L * _ring));
            var sum = new double[_capacity * ring];
            var count = new double[_capacity * ring];
            for (long s = _clock + 1; s <= _clock + _ring; s++)
            {
                int from = FlatState.Mod(s, _ring) * _capacity;
                int to = FlatState.Mod(s, ring) * _capacity;
                _pendingSum.AsSpan(from, _capacity).CopyTo(sum.AsSpan(to));
                _pendingCount.AsSpan(from, _capacity).CopyTo(count.AsSpan(to));
            }

            _ring = ring;
            _pendingSum = sum;
            _pendingCount = count;
        }

        while (step > _clock + _ring)
        {
            CloseStep();
            _forced++;
        }
    }

    private void AddKeys(int keys)
    {
        if (keys > _capacity)
        {
            EnsureCapacity(Math.Max(keys, _capacity * 2));
        }

        // Keys that appear late start with an empty history: their earlier forecasts never existed.
        _keyCount = keys;
        Array.Clear(_intervalsValid);
        Array.Clear(_pointValid);
    }

    private void EnsureCapacity(int keys)
    {
        if (keys <= _capacity)
        {
            return;
        }

        int kh = keys * _horizon;
        _pendingSum = ForecastModel.GrowRows(_pendingSum, _ring, _capacity, keys, 0.0);
        _pendingCount = ForecastModel.GrowRows(_pendingCount, _ring, _capacity, keys, 0.0);
        FlatState.Grow(ref _values, keys, double.NaN);
        FlatState.Grow(ref _last, keys, double.NaN);
        for (int m = 0; m < _kinds.Length; m++)
        {
            int stats = _invariant[m] ? keys : kh;
            FlatState.Grow(ref _point[m], kh, 0);
            FlatState.Grow(ref _lower[m], kh, 0);
            FlatState.Grow(ref _upper[m], kh, 0);
            if (_invariant[m])
            {
                _raw[m] = ForecastModel.GrowRows(_raw[m], _horizon, _capacity, keys, double.NaN);
            }
            else
            {
                _issued[m] = GrowIssued(_issued[m], keys);
            }

            FlatState.Grow(ref _mse[m], stats, double.NaN);
            FlatState.Grow(ref _absError[m], stats, double.NaN);
            FlatState.Grow(ref _qLow[m], stats, 0);
            FlatState.Grow(ref _qHigh[m], stats, 0);
        }

        for (int m = 0; m < _models.Length; m++)
        {
            _models[m].EnsureCapacity(keys);
        }

        _capacity = keys;
    }

    private void CloseStep()
    {
        long step = ++_clock;
        int k1 = _keyCount;
        int row = FlatState.Mod(step, _ring) * _capacity;
        ReadOnlySpan<double> values = _values.AsSpan(0, k1);
        TakePending(_pendingSum.AsSpan(row, k1), _pendingCount.AsSpan(row, k1), _values.AsSpan(0, k1));
        SeasonalNaiveModel.KeepLast(values, _last.AsSpan(0, k1));

        for (int m = 0; m < _kinds.Length; m++)
        {
            _pointValid[m] = false;
            _intervalsValid[m] = false;
            if (m < _models.Length && _invariant[m])
            {
                // Row step mod H holds the forecast for this step; after scoring it takes the one for step + H.
                Span<double> raw = _raw[m].AsSpan(FlatState.Mod(step, _horizon) * _capacity, k1);
                ScoreByKey(m, values, raw);
                _models[m].StepInvariant(step, values, k1, raw);
                continue;
            }

            Score(m, step, values);
            if (m < _models.Length)
            {
                Span<double> point = _point[m].AsSpan(0, k1 * _horizon);
                _models[m].Step(step, values, k1, point);
                Sanitise(point);
                _pointValid[m] = true;
            }
        }

        if (_combined >= 0)
        {
            Combine();
            _pointValid[_combined] = true;
        }

        for (int m = 0; m < _kinds.Length; m++)
        {
            if (!_invariant[m])
            {
                Issue(m, step);
            }
        }
    }

    /// <summary>Averages the readings of the step closing now (NaN without any) and clears its ring row for reuse, four keys at a time.</summary>
    private static void TakePending(Span<double> sum, Span<double> count, Span<double> values)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var nan = Vector256.Create(double.NaN);
            ref double sRef = ref MemoryMarshal.GetReference(sum);
            ref double cRef = ref MemoryMarshal.GetReference(count);
            ref double vRef = ref MemoryMarshal.GetReference(values);
            for (; k <= values.Length - Vector256<double>.Count; k += Vector256<double>.Count)
            {
                var s = Vector256.LoadUnsafe(ref sRef, (nuint)k);
                var c = Vector256.LoadUnsafe(ref cRef, (nuint)k);
                Vector256.ConditionalSelect(Vector256.GreaterThan(c, Vector256<double>.Zero), s / c, nan).StoreUnsafe(ref vRef, (nuint)k);
                Vector256<double>.Zero.StoreUnsafe(ref sRef, (nuint)k);
                Vector256<double>.Zero.StoreUnsafe(ref cRef, (nuint)k);
            }
        }

        for (; k < values.Length; k++)
        {
            double c = count[k];
            values[k] = c > 0 ? sum[k] / c : double.NaN;
            sum[k] = 0;
            count[k] = 0;
        }
    }

    /// <summary>
    /// Scores a horizon-invariant model: its forecast for this step is the same at every horizon when it had an opinion,
    /// so one residual state per key replaces H, and consecutive keys are consecutive in every array (four per vector).
    /// Targets the model had no opinion on (NaN, answered by the fallback) are not scored: the state describes the
    /// model's own residuals, the same rule and operations per element as <see cref="ScoreVectors"/>.
    /// </summary>
    private void ScoreByKey(int m, ReadOnlySpan<double> values, ReadOnlySpan<double> raw)
    {
        Span<double> mse = _mse[m].AsSpan(0, values.Length);
        Span<double> absError = _absError[m].AsSpan(0, values.Length);
        Span<double> qLow = _qLow[m].AsSpan(0, values.Length);
        Span<double> qHigh = _qHigh[m].AsSpan(0, values.Length);
        double a = _errorSmoothing;
        double tauLow = _tauLow;
        double tauHigh = _tauHigh;
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int n = Vector256<double>.Count;
            var update = new ResidualVectorUpdate(a, QuantileRate, tauLow, tauHigh);
            ref double yRef = ref MemoryMarshal.GetReference(values);
            ref double fRef = ref MemoryMarshal.GetReference(raw);
            ref double mseRef = ref MemoryMarshal.GetReference(mse);
            ref double absRef = ref MemoryMarshal.GetReference(absError);
            ref double lowRef = ref MemoryMarshal.GetReference(qLow);
            ref double highRef = ref MemoryMarshal.GetReference(qHigh);
            for (; k <= values.Length - n; k += n)
            {
                nuint at = (nuint)k;
                var y = Vector256.LoadUnsafe(ref yRef, at);
                var f = Vector256.LoadUnsafe(ref fRef, at);
                var e = y - f;

                // NaN in either operand makes the residual NaN: one mask for both.
                var valid = Vector256.Equals(e, e);
                if (valid == Vector256<double>.Zero)
                {
                    continue;
                }

                update.Apply(e, valid, ref mseRef, ref absRef, ref lowRef, ref highRef, at);
            }
        }

        for (; k < values.Length; k++)
        {
            double e = values[k] - raw[k];
            if (double.IsNaN(e))
            {
                continue;
            }

            double ae = Math.Abs(e);
            if (double.IsNaN(mse[k]))
            {
                mse[k] = e * e;
                absError[k] = ae;
                qLow[k] = Math.Min(e, 0);
                qHigh[k] = Math.Max(e, 0);
                continue;
            }

            mse[k] += a * ((e * e) - mse[k]);
            absError[k] += a * (ae - absError[k]);
            double rate = QuantileRate * absError[k];
            qLow[k] += rate * (e < qLow[k] ? tauLow - 1 : tauLow);
            qHigh[k] += rate * (e < qHigh[k] ? tauHigh - 1 : tauHigh);
        }
    }

    /// <summary>Every forecast must be finite: a model without an opinion yet falls back to the last value (0 before any).</summary>
    private void Sanitise(Span<double> point)
    {
        int h = _horizon;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Almost every forecast is fine: check four at a time (|f| <= limit is false for NaN and infinities).
            var limit = Vector256.Create(4 * MaxAbsValue);
            int n = Vector256<double>.Count;
            while (i <= point.Length - n && Vector256.LessThanOrEqualAll(Vector256.Abs(Vector256.Create(point.Slice(i, n))), limit))
            {
                i += n;
            }
        }

        for (; i < point.Length; i++)
        {
            double f = point[i];
            if (!double.IsFinite(f) || Math.Abs(f) > 4 * MaxAbsValue)
            {
                double last = _last[i / h];
                point[i] = double.IsNaN(last) ? 0 : last;
            }
        }
    }

    /// <summary>Scores the forecasts issued h steps ago against this step's values: error level for the combination, residual quantiles for the intervals.</summary>
    /// <remarks>
    /// Forecasts are kept by target step (row = target mod H, column = horizon - 1), so every forecast for this step is
    /// one contiguous row of H values beside the key's contiguous error and quantile state: the horizon loop is plain
    /// element-wise arithmetic that runs in 256-bit vectors, with the same operations per element as the scalar tail.
    /// </remarks>
    private void Score(int m, long step, ReadOnlySpan<double> values)
    {
        int h = _horizon;
        double[] issued = _issued[m];
        double[] mse = _mse[m];
        double[] absError = _absError[m];
        double[] qLow = _qLow[m];
        double[] qHigh = _qHigh[m];
        double a = _errorSmoothing;
        double tauLow = _tauLow;
        double tauHigh = _tauHigh;
        int cap = _capacity;
        int row = FlatState.Mod(step, h) * h * cap;
        Span<double> due = _due;
        int vectorEnd = Vector256.IsHardwareAccelerated ? h - (h % Vector256<double>.Count) : 0;
        for (int k = 0; k < values.Length; k++)
        {
            double y = values[k];
            if (double.IsNaN(y))
            {
                continue;
            }

            // One value from each horizon's stream of this target row; consecutive keys read consecutive addresses.
            for (int g = 0, at = row + k; g < due.Length; g++, at += cap)
            {
                due[g] = issued[at];
            }

            Span<double> kMse = mse.AsSpan(k * h, h);
            Span<double> kAbs = absError.AsSpan(k * h, h);
            Span<double> kLow = qLow.AsSpan(k * h, h);
            Span<double> kHigh = qHigh.AsSpan(k * h, h);
            int j = 0;
            if (vectorEnd > 0)
            {
                ScoreVectors(y, a, tauLow, tauHigh, due[..vectorEnd], kMse, kAbs, kLow, kHigh);
                j = vectorEnd;
            }

            for (; j < h; j++)
            {
                double f = due[j];
                if (double.IsNaN(f))
                {
                    continue;
                }

                double e = y - f;
                double ae = Math.Abs(e);
                if (double.IsNaN(kMse[j]))
                {
                    kMse[j] = e * e;
                    kAbs[j] = ae;
                    kLow[j] = Math.Min(e, 0);
                    kHigh[j] = Math.Max(e, 0);
                    continue;
                }

                kMse[j] += a * ((e * e) - kMse[j]);
                kAbs[j] += a * (ae - kAbs[j]);

                // Stochastic-gradient quantile tracking: step size proportional to the error level keeps it unit-free.
                double rate = QuantileRate * kAbs[j];
                kLow[j] += rate * (e < kLow[j] ? tauLow - 1 : tauLow);
                kHigh[j] += rate * (e < kHigh[j] ? tauHigh - 1 : tauHigh);
            }
        }
    }

    /// <summary>The scalar update of <see cref="Score"/> for whole vectors of horizons: missing forecasts leave their state alone, a first residual initialises it.</summary>
    private static void ScoreVectors(double y, double a, double tauLow, double tauHigh, ReadOnlySpan<double> due, Span<double> mse, Span<double> absError, Span<double> qLow, Span<double> qHigh)
    {
        int n = Vector256<double>.Count;
        var yv = Vector256.Create(y);
        var update = new ResidualVectorUpdate(a, QuantileRate, tauLow, tauHigh);
        ref double fRef = ref MemoryMarshal.GetReference(due);
        ref double mseRef = ref MemoryMarshal.GetReference(mse);
        ref double absRef = ref MemoryMarshal.GetReference(absError);
        ref double lowRef = ref MemoryMarshal.GetReference(qLow);
        ref double highRef = ref MemoryMarshal.GetReference(qHigh);
        for (int j = 0; j < due.Length; j += n)
        {
            nuint at = (nuint)j;
            var f = Vector256.LoadUnsafe(ref fRef, at);
            var valid = Vector256.Equals(f, f);
            if (valid == Vector256<double>.Zero)
            {
                continue;
            }

            update.Apply(yv - f, valid, ref mseRef, ref absRef, ref lowRef, ref highRef, at);
        }
    }

    private void Combine()
    {
        int n = _models.Length;
        int h = _horizon;
        for (int m = 0; m < n; m++)
        {
            EnsurePoint(m);
        }

        // Horizon-invariant models keep one error level per key: index k instead of i (no division in the loop).
        int[] errorAt = _combineErrorAt;
        Span<double> target = _point[_combined].AsSpan(0, _keyCount * h);
        for (int i = 0, k = 0, j = 0; i < target.Length; i++, j++)
        {
            if (j == h)
            {
                j = 0;
                k++;
            }

            for (int m = 0; m < n; m++)
            {
                errorAt[m] = _invariant[m] ? k : i;
            }

            double best = double.PositiveInfinity;
            double plain = 0;
            for (int m = 0; m < n; m++)
            {
                plain += _point[m][i];
                double e = _mse[m][errorAt[m]];
                if (e < best)
                {
                    best = e;
                }
            }

            if (!double.IsFinite(best))
            {
                target[i] = plain / n;
                continue;
            }

            // Models far behind the current leader only add noise; the rest are weighted by inverse squared MSE.
            double cut = (CombineCutoff * best) + 1e-300;
            double sum = 0;
            double weight = 0;
            for (int m = 0; m < n; m++)
            {
                double e = _mse[m][errorAt[m]];
                if (e <= cut)
                {
                    double r = best / (e + 1e-300);
                    double w = r * r;
                    sum += w * _point[m][i];
                    weight += w;
                }
            }

            target[i] = weight > 0 && double.IsFinite(sum / weight) ? sum / weight : plain / n;
        }
    }

    /// <summary>
    /// Keeps this step's forecasts by target: horizon j+1 targets step + j + 1, kept in stream (row, j) with
    /// row = (step + j + 1) mod H at offset key. The stream offsets are the same for every key, so they are computed once
    /// per step; a step touches each stream at consecutive keys, i.e. H sequential write streams.
    /// </summary>
    private void Issue(int m, long step)
    {
        int h = _horizon;
        int cap = _capacity;
        double[] point = _point[m];
        double[] issued = _issued[m];
        int[] offsets = _issueOffsets;
        int row = FlatState.Mod(step + 1, h);
        for (int j = 0; j < h; j++, row = row + 1 == h ? 0 : row + 1)
        {
            offsets[j] = ((row * h) + j) * cap;
        }

        _intervalsValid[m] = false;
        for (int k = 0; k < _keyCount; k++)
        {
            ReadOnlySpan<double> f = point.AsSpan(k * h, h);

            // Placeholders of a key without any value are not forecasts: scoring them would make the intervals depend
            // on how long the key waited for its first reading, i.e. on which lane it runs.
            if (double.IsNaN(_last[k]))
            {
                for (int j = 0; j < f.Length; j++)
                {
                    issued[offsets[j] + k] = double.NaN;
                }

                continue;
            }

            for (int j = 0; j < f.Length; j++)
            {
                Debug.Assert(double.IsFinite(f[j]), "Forecasts are sanitised before they are issued.");
                issued[offsets[j] + k] = f[j];
            }
        }
    }

    /// <summary>Issued forecasts live in H*H streams (target row, horizon) of one value per key slot: [(row*H + j)*capacity + key].</summary>
    private double[] GrowIssued(double[] issued, int capacity)
    {
        int streams = _horizon * _horizon;
        var grown = new double[streams * capacity];
        grown.AsSpan().Fill(double.NaN);
        for (int st = 0; st < streams; st++)
        {
            issued.AsSpan(st * _capacity, _keyCount).CopyTo(grown.AsSpan(st * capacity));
        }

        return grown;
    }

    /// <summary>Snapshots the issued forecasts key by key ([key][row][j]), so the bytes do not depend on the capacity.</summary>
    private void WriteIssued(BinaryWriter writer, double[] issued)
    {
        int streams = _horizon * _horizon;
        writer.Write(_keyCount * streams);
        for (int k = 0; k < _keyCount; k++)
        {
            for (int st = 0; st < streams; st++)
            {
                writer.Write(issued[(st * _capacity) + k]);
            }
        }
    }

    private void ReadIssued(BinaryReader reader, double[] issued)
    {
        int streams = _horizon * _horizon;
        if (reader.ReadInt32() != _keyCount * streams)
        {
            throw new InvalidDataException("The forecaster state holds issued forecasts for another number of keys.");
        }

        issued.AsSpan().Fill(double.NaN);
        for (int k = 0; k < _keyCount; k++)
        {
            for (int st = 0; st < streams; st++)
            {
                issued[(st * _capacity) + k] = reader.ReadDouble();
            }
        }
    }

    /// <summary>Point forecasts of model <paramref name="m"/> in [key * H + h - 1], with its intervals when <paramref name="intervals"/> (callers that read a model's forecasts read its intervals too).</summary>
    private void EnsurePoint(int m, bool intervals = false)
    {
        if (_pointValid[m])
        {
            return;
        }

        _pointValid[m] = true;
        if (_invariant[m] && _clock != long.MinValue)
        {
            Expand(m, intervals);
            _intervalsValid[m] = intervals;
        }
    }

    /// <summary>
    /// Expands a horizon-invariant model's forecasts by target into [key * H + h - 1]: horizon h reads row
    /// (step + h) mod H, and a target without the model's own forecast (NaN) takes the model's fallback as of now, 0
    /// before the key had a value. That is exactly what stepping the model for every horizon would have produced.
    /// Intervals add the key's residual quantiles, the same operations as <see cref="IntervalsByKey"/>.
    /// </summary>
    private void Expand(int m, bool intervals)
    {
        int h = _horizon;
        int cap = _capacity;
        int[] rows = _issueOffsets;
        int row = FlatState.Mod(_clock + 1, h);
        for (int j = 0; j < h; j++, row = row + 1 == h ? 0 : row + 1)
        {
            rows[j] = row * cap;
        }

        int n = Vector256<double>.Count;
        int k = 0;
        if (Avx.IsSupported && h >= n)
        {
            k = ExpandVectors(m, intervals);
            if (h % n != 0)
            {
                ExpandScalar(m, 0, k, h - (h % n), h, intervals);
            }
        }

        ExpandScalar(m, k, _keyCount, 0, h, intervals);
    }

    /// <summary>
    /// <see cref="Expand"/> for four keys and four horizons at a time: four row loads (one per horizon, four keys each)
    /// become four per-key vectors by a 4×4 transpose, so the scattered gather is 256-bit loads and stores. A block with
    /// a missing forecast, horizons beyond a multiple of four and the last keys are left to <see cref="ExpandScalar"/>.
    /// Returns the number of keys done.
    /// </summary>
    private int ExpandVectors(int m, bool intervals)
    {
        int h = _horizon;
        int k1 = _keyCount;
        int n = Vector256<double>.Count;
        int groups = h / n;
        int[] rows = _issueOffsets;
        var zero = Vector256<double>.Zero;
        ref double rawRef = ref MemoryMarshal.GetArrayDataReference(_raw[m]);
        ref double pRef = ref MemoryMarshal.GetArrayDataReference(_point[m]);
        ref double lRef = ref MemoryMarshal.GetArrayDataReference(_lower[m]);
        ref double uRef = ref MemoryMarshal.GetArrayDataReference(_upper[m]);
        ref double qlRef = ref MemoryMarshal.GetArrayDataReference(_qLow[m]);
        ref double qhRef = ref MemoryMarshal.GetArrayDataReference(_qHigh[m]);
        int k = 0;
        for (; k <= k1 - n; k += n)
        {
            var lo = Vector256.Min(Vector256.LoadUnsafe(ref qlRef, (nuint)k), zero);
            var hi = Vector256.Max(Vector256.LoadUnsafe(ref qhRef, (nuint)k), zero);
            nuint at0 = (nuint)(k * h);
            nuint at1 = at0 + (nuint)h;
            nuint at2 = at1 + (nuint)h;
            nuint at3 = at2 + (nuint)h;
            for (int g = 0; g < groups; g++)
            {
                int j = g * n;
                var r0 = Vector256.LoadUnsafe(ref rawRef, (nuint)(rows[j] + k));
                var r1 = Vector256.LoadUnsafe(ref rawRef, (nuint)(rows[j + 1] + k));
                var r2 = Vector256.LoadUnsafe(ref rawRef, (nuint)(rows[j + 2] + k));
                var r3 = Vector256.LoadUnsafe(ref rawRef, (nuint)(rows[j + 3] + k));
                var valid = Vector256.Equals(r0, r0) & Vector256.Equals(r1, r1) & Vector256.Equals(r2, r2) & Vector256.Equals(r3, r3);
                // Mask lanes read as doubles are NaN, so test the sign bits, not the values.
                if (Vector256.ExtractMostSignificantBits(valid) != 0b1111)
                {
                    ExpandScalar(m, k, k + n, j, j + n, intervals);
                    continue;
                }

                // Rows are horizons j..j+3 with keys in the lanes; the transpose gives keys with horizons in the lanes.
                var t0 = Avx.UnpackLow(r0, r1);
                var t1 = Avx.UnpackHigh(r0, r1);
                var t2 = Avx.UnpackLow(r2, r3);
                var t3 = Avx.UnpackHigh(r2, r3);
                var p0 = Avx.Permute2x128(t0, t2, 0x20);
                var p1 = Avx.Permute2x128(t1, t3, 0x20);
                var p2 = Avx.Permute2x128(t0, t2, 0x31);
                var p3 = Avx.Permute2x128(t1, t3, 0x31);
                nuint o = (nuint)j;
                p0.StoreUnsafe(ref pRef, at0 + o);
                p1.StoreUnsafe(ref pRef, at1 + o);
                p2.StoreUnsafe(ref pRef, at2 + o);
                p3.StoreUnsafe(ref pRef, at3 + o);
                if (intervals)
                {
                    (p0 + Vector256.Create(lo.GetElement(0))).StoreUnsafe(ref lRef, at0 + o);
                    (p1 + Vector256.Create(lo.GetElement(1))).StoreUnsafe(ref lRef, at1 + o);
                    (p2 + Vector256.Create(lo.GetElement(2))).StoreUnsafe(ref lRef, at2 + o);
                    (p3 + Vector256.Create(lo.GetElement(3))).StoreUnsafe(ref lRef, at3 + o);
                    (p0 + Vector256.Create(hi.GetElement(0))).StoreUnsafe(ref uRef, at0 + o);
                    (p1 + Vector256.Create(hi.GetElement(1))).StoreUnsafe(ref uRef, at1 + o);
                    (p2 + Vector256.Create(hi.GetElement(2))).StoreUnsafe(ref uRef, at2 + o);
                    (p3 + Vector256.Create(hi.GetElement(3))).StoreUnsafe(ref uRef, at3 + o);
                }
            }
        }

        return k;
    }

    /// <summary>The scalar <see cref="Expand"/> for keys [<paramref name="k0"/>, <paramref name="k1"/>) and horizon indices [<paramref name="j0"/>, <paramref name="j1"/>).</summary>
    private void ExpandScalar(int m, int k0, int k1, int j0, int j1, bool intervals)
    {
        int h = _horizon;
        int[] rows = _issueOffsets;
        double[] raw = _raw[m];
        double[] point = _point[m];
        double[] lower = _lower[m];
        double[] upper = _upper[m];
        ForecastModel model = _models[m];
        for (int k = k0; k < k1; k++)
        {
            double lo = Math.Min(_qLow[m][k], 0);
            double hi = Math.Max(_qHigh[m][k], 0);
            int at = k * h;
            for (int j = j0; j < j1; j++)
            {
                double p = raw[rows[j] + k];
                if (double.IsNaN(p))
                {
                    p = model.Fallback(k, _clock + j + 1);
                    p = double.IsNaN(p) ? 0 : p;
                }

                point[at + j] = p;
                if (intervals)
                {
                    lower[at + j] = p + lo;
                    upper[at + j] = p + hi;
                }
            }
        }
    }

    /// <summary>Intervals are derived on demand: most callers read one model's, and the residual quantiles they come from are kept up to date anyway.</summary>
    private void EnsureIntervals(int m)
    {
        if (_intervalsValid[m])
        {
            return;
        }

        EnsurePoint(m, intervals: true);
        if (_intervalsValid[m])
        {
            return;
        }

        if (_invariant[m])
        {
            IntervalsByKey(m);
            _intervalsValid[m] = true;
            return;
        }

        double[] point = _point[m];
        double[] lower = _lower[m];
        double[] upper = _upper[m];
        double[] qLow = _qLow[m];
        double[] qHigh = _qHigh[m];
        int kh = _keyCount * _horizon;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int n = Vector256<double>.Count;
            var zero = Vector256<double>.Zero;
            for (; i <= kh - n; i += n)
            {
                var p = Vector256.Create(point.AsSpan(i, n));
                (p + Vector256.Min(Vector256.Create(qLow.AsSpan(i, n)), zero)).CopyTo(lower.AsSpan(i, n));
                (p + Vector256.Max(Vector256.Create(qHigh.AsSpan(i, n)), zero)).CopyTo(upper.AsSpan(i, n));
            }
        }

        for (; i < kh; i++)
        {
            lower[i] = point[i] + Math.Min(qLow[i], 0);
            upper[i] = point[i] + Math.Max(qHigh[i], 0);
        }

        _intervalsValid[m] = true;
    }

    /// <summary>Intervals of a horizon-invariant model: one residual quantile pair per key serves every horizon.</summary>
    private void IntervalsByKey(int m)
    {
        int h = _horizon;
        int n = Vector256<double>.Count;
        int vectorEnd = Vector256.IsHardwareAccelerated ? h - (h % n) : 0;
        double[] qLow = _qLow[m];
        double[] qHigh = _qHigh[m];
        for (int k = 0; k < _keyCount; k++)
        {
            double lo = Math.Min(qLow[k], 0);
            double hi = Math.Max(qHigh[k], 0);
            ReadOnlySpan<double> point = _point[m].AsSpan(k * h, h);
            Span<double> lower = _lower[m].AsSpan(k * h, h);
            Span<double> upper = _upper[m].AsSpan(k * h, h);
            int j = 0;
            if (vectorEnd > 0)
            {
                var lv = Vector256.Create(lo);
                var hv = Vector256.Create(hi);
                for (; j < vectorEnd; j += n)
                {
                    var p = Vector256.Create(point.Slice(j, n));
                    (p + lv).CopyTo(lower.Slice(j, n));
                    (p + hv).CopyTo(upper.Slice(j, n));
                }
            }

            for (; j < h; j++)
            {
                lower[j] = point[j] + lo;
                upper[j] = point[j] + hi;
            }
        }
    }
}
