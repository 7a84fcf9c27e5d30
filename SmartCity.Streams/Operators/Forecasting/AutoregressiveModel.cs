using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Direct multi-horizon autoregression on the standardised deseasonalised series z = (y - profile) / scale, fitted by
/// recursive least squares with exponential forgetting. Every horizon h regresses z[t+h] on the same features
/// x[t] = (1, z[t..t-p+1], neighbour mean z[t..t-q+1]), so one inverse-covariance matrix P per key serves all
/// horizons: an update costs O(F^2 + H*F) instead of O(H*F^2). Learning waits until all H targets of x[t-H] are
/// known, i.e. the horizon-1 weights learn H-1 steps late, which forgetting factors close to 1 hardly notice.
/// The weights are laid out per key as [feature * H + horizon - 1], horizon innermost, so all horizons update as vectors.
/// P is kept exactly symmetric with its rows zero-padded to whole 256-bit vectors, so P x and the update of P are whole
/// vector operations; snapshots hold P unpadded and the residual rings once, so they do not depend on the vector width.
/// </summary>
internal sealed class AutoregressiveModel : ForecastModel
{
    private const double InitialCovariance = 10;
    private const double MaxMeanCovariance = 1e3;
    private const double MinScaleWeight = 0.01;
    private const double MaxAbsZ = 50;

    private readonly SeasonalProfile _profile;
    private RoadGraph? _graph;
    private readonly int _order;
    private readonly int _neighbourLags;
    private readonly int _features;
    private readonly int _stride;
    private readonly int _ring;
    private readonly int _ringRow;
    private readonly double _lambda;
    private readonly double _invLambda;
    private readonly double[] _x;
    private readonly double[] _xNow;
    private readonly double[] _px;
    private readonly int[] _weekAhead;
    private readonly double[] _dots;
    private readonly int[] _dayAhead;
    private double[] _variance = [];
    private double[] _count = [];
    private double[] _z = [];
    private double[] _nz = [];
    private double[] _expected = [];
    private double[] _scale = [];
    private double[] _p = [];
    private double[] _w = [];
    private int _capacity;

    public AutoregressiveModel(int horizon, SeasonGrid grid, int smoothingSlots, int order, int neighbourLags, double lambda, RoadGraph? graph)
        : base(horizon)
    {
        _profile = new SeasonalProfile(grid, minWeight: 0.05, minWeekCount: 2, radius: smoothingSlots);
        _graph = graph;
        _order = order;
        _neighbourLags = graph is null ? 0 : neighbourLags;
        _features = 1 + _order + _neighbourLags;
        _ring = horizon + Math.Max(_order, _neighbourLags) + 1;
        _ringRow = 2 * _ring;
        _lambda = lambda;
        _invLambda = 1 / lambda;
        _stride = (_features + Vector256<double>.Count - 1) / Vector256<double>.Count * Vector256<double>.Count;
        _x = new double[_stride];
        _xNow = new double[_stride];
        _px = new double[_stride];
        _weekAhead = new int[horizon];
        _dots = new double[horizon];
        _dayAhead = new int[horizon];
    }

    /// <summary>Swaps the graph; the feature layout is fixed at construction, so only a model built with a graph takes one.</summary>
    public void SetGraph(RoadGraph graph)
    {
        if (_neighbourLags > 0)
        {
            _graph = graph;
        }
    }

    public override void EnsureCapacity(int keys)
    {
        if (keys <= _capacity)
        {
            return;
        }

        int f = _features;
        _profile.EnsureCapacity(keys);
        FlatState.Grow(ref _variance, keys, 0);
        FlatState.Grow(ref _count, keys, 0);
        FlatState.Grow(ref _z, keys * _ringRow, double.NaN);
        FlatState.Grow(ref _nz, keys * _ringRow, double.NaN);
        FlatState.Grow(ref _w, keys * Horizon * f, 0);
        FlatState.Grow(ref _expected, keys, 0);
        FlatState.Grow(ref _scale, keys, 0);
        FlatState.Grow(ref _p, keys * f * _stride, 0);
        for (int k = _capacity; k < keys; k++)
        {
            ResetCovariance(k);
        }

        _capacity = keys;
    }

    public override void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts)
    {
        // Slots are the same for every key: compute them once per step, not per key.
        int h = Horizon;
        int slot = FlatState.Mod(step, _ring);
        int past = FlatState.Mod(step - h, _ring);
        SeasonGrid grid = _profile.Grid;
        int week = grid.WeekSlot(step);
        int day = grid.DaySlot(step);
        for (int j = 0; j < h; j++)
        {
            _weekAhead[j] = grid.WeekSlot(step + j + 1);
            _dayAhead[j] = grid.DaySlot(step + j + 1);
        }

        // The profile works slot by slot across all keys (its layout is slot-major), the regression key by key.
        _profile.Observe(values, keyCount, week, day, _expected);
        StandardiseAll(values, keyCount, slot);

        if (_graph is not null)
        {
            for (int k = 0; k < keyCount; k++)
            {
                double z = NeighbourMean(k, slot, keyCount);
                _nz[(k * _ringRow) + slot] = z;
                _nz[(k * _ringRow) + slot + _ring] = z;
            }
        }

        // The seasonal part of every forecast first, one target step at a time; the regression adds the residual part.
        _profile.ExpectedRows(_weekAhead, _dayAhead, keyCount, forecasts, h);

        for (int k = 0; k < keyCount; k++)
        {
            Span<double> f = forecasts.Slice(k * h, h);
            bool now = Features(k, slot, _xNow);
            if (!(Features(k, past, _x) && Learn(k, past, now)) && now)
            {
                Dots(_w.AsSpan(k * h * _features, h * _features), _xNow, _dots);
            }

            if (now)
            {
                AddResidual(f, _dots, _scale[k]);
            }
            else
            {
                f.Fill(double.NaN);
            }
        }
    }

    public override void Write(BinaryWriter writer, int keyCount)
    {
        _profile.Write(writer, keyCount);
        FlatState.Write(writer, _variance, keyCount);
        FlatState.Write(writer, _count, keyCount);
        WriteRing(writer, _z, keyCount);
        WriteRing(writer, _nz, keyCount);

        // Without the row padding, so a snapshot does not depend on the vector width.
        int f = _features;
        writer.Write(keyCount * f * f);
        for (int k = 0; k < keyCount; k++)
        {
            for (int i = 0; i < f; i++)
            {
                int row = (((k * f) + i) * _stride);
                for (int j = 0; j < f; j++)
                {
                    writer.Write(_p[row + j]);
                }
            }
        }

        FlatState.Write(writer, _w, keyCount * Horizon * _features);
    }

    public override void Read(BinaryReader reader)
    {
        _profile.Read(reader);
        int keys = ReadKeys(reader, 1);
        EnsureCapacity(keys);
        ReadValues(reader, _variance, keys);
        ReadValues(reader, _count, ReadKeys(reader, 1));
        ReadRing(reader, _z);
        ReadRing(reader, _nz);

        int f = _features;
        keys = ReadKeys(reader, f * f);
        for (int k = 0; k < keys; k++)
        {
            for (int i = 0; i < f; i++)
            {
                int row = (((k * f) + i) * _stride);
                for (int j = 0; j < f; j++)
                {
                    _p[row + j] = reader.ReadDouble();
                }
            }
        }

        FlatState.Read(reader, ref _w, 0);
    }

    private double Scale(int k) => Math.Sqrt(_variance[k]) + 1e-9;

    /// <summary>
    /// <see cref="Standardise"/> for every key, residuals into the ring at <paramref name="slot"/>: 4 keys per vector with
    /// exactly the scalar operations (Math.Max and MaxNative agree without NaN operands; the clamp is Math.Clamp's).
    /// </summary>
    private void StandardiseAll(ReadOnlySpan<double> values, int keyCount, int slot)
    {
        if (keyCount > _capacity || values.Length < keyCount)
        {
            throw new ArgumentOutOfRangeException(nameof(keyCount));
        }

        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int n = Vector256<double>.Count;
            int end = keyCount - (keyCount % n);
            ref double y = ref MemoryMarshal.GetReference(values);
            ref double expected = ref MemoryMarshal.GetArrayDataReference(_expected);
            ref double count = ref MemoryMarshal.GetArrayDataReference(_count);
            ref double variance = ref MemoryMarshal.GetArrayDataReference(_variance);
            ref double scales = ref MemoryMarshal.GetArrayDataReference(_scale);
            ref double ring = ref MemoryMarshal.GetArrayDataReference(_z);
            var one = Vector256.Create(1.0);
            var minWeight = Vector256.Create(MinScaleWeight);
            var epsilon = Vector256.Create(1e-9);
            var low = Vector256.Create(-MaxAbsZ);
            var high = Vector256.Create(MaxAbsZ);
            for (; k < end; k += n)
            {
                nuint at = (nuint)k;
                var v = Vector256.LoadUnsafe(ref y, at);
                var valid = Vector256.Equals(v, v);
                var e = Vector256.LoadUnsafe(ref expected, at);
                var r = Vector256.ConditionalSelect(Vector256.Equals(e, e), v - e, Vector256<double>.Zero);
                var c = Vector256.LoadUnsafe(ref count, at);
                var c1 = c + one;
                var old = Vector256.LoadUnsafe(ref variance, at);
                var updated = old + (Vector256.MaxNative(one / c1, minWeight) * ((r * r) - old));
                Vector256.ConditionalSelect(valid, c1, c).StoreUnsafe(ref count, at);
                var kept = Vector256.ConditionalSelect(valid, updated, old);
                kept.StoreUnsafe(ref variance, at);
                var scale = Vector256.Sqrt(kept) + epsilon;
                scale.StoreUnsafe(ref scales, at);
                var z = r / scale;
                z = Vector256.ConditionalSelect(Vector256.LessThan(z, low), low, Vector256.ConditionalSelect(Vector256.GreaterThan(z, high), high, z));
                z = Vector256.ConditionalSelect(valid, z, Vector256.Create(double.NaN));
                nuint row = (at * (nuint)_ringRow) + (nuint)slot;
                nuint next = (nuint)_ringRow;
                nuint twin = (nuint)_ring;
                double z0 = z.GetElement(0);
                double z1 = z.GetElement(1);
                double z2 = z.GetElement(2);
                double z3 = z.GetElement(3);
                Unsafe.Add(ref ring, row) = z0;
                Unsafe.Add(ref ring, row + twin) = z0;
                Unsafe.Add(ref ring, row + next) = z1;
                Unsafe.Add(ref ring, row + next + twin) = z1;
                Unsafe.Add(ref ring, row + (2 * next)) = z2;
                Unsafe.Add(ref ring, row + (2 * next) + twin) = z2;
                Unsafe.Add(ref ring, row + (3 * next)) = z3;
                Unsafe.Add(ref ring, row + (3 * next) + twin) = z3;
            }
        }

        for (; k < keyCount; k++)
        {
            double z = Standardise(k, _expected[k], values[k]);
            _z[(k * _ringRow) + slot] = z;
            _z[(k * _ringRow) + slot + _ring] = z;
        }
    }

    /// <summary>Updates the residual scale with the reading and returns its standardised residual (NaN when missing); leaves the key's scale in the scratch.</summary>
    private double Standardise(int k, double expected, double y)
    {
        if (double.IsNaN(y))
        {
            _scale[k] = Scale(k);
            return double.NaN;
        }

        double r = double.IsNaN(expected) ? 0 : y - expected;
        double n = _count[k] + 1;
        _count[k] = n;
        _variance[k] += Math.Max(1.0 / n, MinScaleWeight) * ((r * r) - _variance[k]);
        double scale = Scale(k);
        _scale[k] = scale;
        return Math.Clamp(r / scale, -MaxAbsZ, MaxAbsZ);
    }

    private double NeighbourMean(int k, int slot, int keyCount)
    {
        ReadOnlySpan<int> neighbours = _graph!.Neighbours(k);
        ReadOnlySpan<double> weights = _graph.Weights(k);
        double sum = 0;
        double weight = 0;
        for (int i = 0; i < neighbours.Length; i++)
        {
            int j = neighbours[i];
            if (j < keyCount)
            {
                double z = _z[(j * _ringRow) + slot];
                if (!double.IsNaN(z))
                {
                    sum += weights[i] * z;
                    weight += weights[i];
                }
            }
        }

        return weight > 0 ? sum / weight : double.NaN;
    }

    /// <summary>Fills <paramref name="x"/> with the features of the time at ring slot <paramref name="at"/>; false when its newest own value is missing.</summary>
    private bool Features(int k, int at, double[] x)
    {
        // The rings hold every value twice (slot and slot + ring), so the lags of any slot are one run without wrapping.
        int row = k * _ringRow;
        int newest = row + at + _ring;
        ReadOnlySpan<double> z = _z.AsSpan(newest - _order + 1, _order);
        if (double.IsNaN(z[^1]))
        {
            return false;
        }

        x[0] = 1;
        for (int i = 0; i < z.Length; i++)
        {
            double v = z[^(i + 1)];
            x[1 + i] = double.IsNaN(v) ? 0 : v;
        }

        if (_neighbourLags > 0)
        {
            ReadOnlySpan<double> nz = _nz.AsSpan(newest - _neighbourLags + 1, _neighbourLags);
            for (int i = 0; i < nz.Length; i++)
            {
                double v = nz[^(i + 1)];
                x[1 + _order + i] = double.IsNaN(v) ? 0 : v;
            }
        }

        return true;
    }

    private void WriteRing(BinaryWriter writer, double[] ring, int keyCount)
    {
        writer.Write(keyCount * _ring);
        for (int k = 0; k < keyCount; k++)
        {
            for (int i = 0; i < _ring; i++)
            {
                writer.Write(ring[(k * _ringRow) + i]);
            }
        }
    }

    private void ReadRing(BinaryReader reader, double[] ring)
    {
        int keys = ReadKeys(reader, _ring);
        EnsureCapacity(keys);
        for (int k = 0; k < keys; k++)
        {
            for (int i = 0; i < _ring; i++)
            {
                double v = reader.ReadDouble();
                ring[(k * _ringRow) + i] = v;
                ring[(k * _ringRow) + i + _ring] = v;
            }
        }
    }

    /// <summary>Reads an array length of whole keys of <paramref name="perKey"/> values each and returns the key count.</summary>
    private static int ReadKeys(BinaryReader reader, int perKey)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length % perKey != 0)
        {
            throw new InvalidDataException("Invalid array length in forecaster state.");
        }

        return length / perKey;
    }

    private void ReadValues(BinaryReader reader, double[] array, int keys)
    {
        EnsureCapacity(keys);
        for (int k = 0; k < keys; k++)
        {
            array[k] = reader.ReadDouble();
        }
    }

    /// <summary>
    /// One RLS step of key <paramref name="k"/> on the features in the scratch (the time at ring slot
    /// <paramref name="slot"/>) and its H targets. When <paramref name="forecast"/>, the same pass over the weights also
    /// leaves the forecast dot products of the updated weights with the current features in the dots scratch; returns
    /// whether it did (false when the covariance had to be reset and the weights were left alone).
    /// </summary>
    private bool Learn(int k, int slot, bool forecast)
    {
        int f = _features;
        int stride = _stride;
        int n = Vector256<double>.Count;
        Span<double> p = _p.AsSpan(k * f * stride, f * stride);
        ref double pr = ref MemoryMarshal.GetReference(p);
        ref double x = ref MemoryMarshal.GetArrayDataReference(_x);
        ref double px = ref MemoryMarshal.GetArrayDataReference(_px);

        // P x as a sum of rows weighted by x: P is kept exactly symmetric (below), so rows and columns agree, and the
        // sum runs as whole vectors over the zero-padded rows instead of one horizontal dot product per row. Two column
        // blocks at a time give two independent FMA chains; per element the operations are the same either way.
        var dv = Vector256<double>.Zero;
        int j = 0;
        for (; j <= stride - (2 * n); j += 2 * n)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            ref double row = ref Unsafe.Add(ref pr, j);
            for (int i = 0; i < f; i++)
            {
                var xi = Vector256.Create(Unsafe.Add(ref x, i));
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row), xi, acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)n), xi, acc1);
                row = ref Unsafe.Add(ref row, stride);
            }

            acc0.StoreUnsafe(ref px, (nuint)j);
            acc1.StoreUnsafe(ref px, (nuint)(j + n));
            dv = Vector256.FusedMultiplyAdd(acc0, Vector256.LoadUnsafe(ref x, (nuint)j), dv);
            dv = Vector256.FusedMultiplyAdd(acc1, Vector256.LoadUnsafe(ref x, (nuint)(j + n)), dv);
        }

        for (; j < stride; j += n)
        {
            var acc = Vector256<double>.Zero;
            ref double row = ref Unsafe.Add(ref pr, j);
            for (int i = 0; i < f; i++)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row), Vector256.Create(Unsafe.Add(ref x, i)), acc);
                row = ref Unsafe.Add(ref row, stride);
            }

            acc.StoreUnsafe(ref px, (nuint)j);
            dv = Vector256.FusedMultiplyAdd(acc, Vector256.LoadUnsafe(ref x, (nuint)j), dv);
        }

        double denom = _lambda + Vector256.Sum(dv);
        if (!(denom > 0) || !double.IsFinite(denom))
        {
            ResetCovariance(k);
            return false;
        }

        // P <- (P - (Px)(Px)' / denom) / lambda. The product px_i * px_j is commutative, so entry (i, j) and (j, i)
        // come out bit-identical and P stays symmetric; padding columns stay 0 because their px_j is 0.
        double inv = 1 / denom;
        var invV = Vector256.Create(inv);
        var negInvV = Vector256.Create(-inv);
        double invLambda = _invLambda;
        var invLambdaV = Vector256.Create(invLambda);
        double trace = 0;
        ref double prow = ref pr;
        for (int i = 0; i < f; i++)
        {
            // The new diagonal entry by the same operations as its vector lane below, from the old value: reading it back
            // after the vector store would stall on store forwarding.
            double pii = Unsafe.Add(ref px, i);
            trace += Math.FusedMultiplyAdd(pii * pii, -inv, Unsafe.Add(ref prow, i)) * invLambda;
            var pi = Vector256.Create(pii);
            for (int c = 0; c < stride; c += n)
            {
                var old = Vector256.LoadUnsafe(ref prow, (nuint)c);
                (Vector256.FusedMultiplyAdd(pi * Vector256.LoadUnsafe(ref px, (nuint)c), negInvV, old) * invLambdaV).StoreUnsafe(ref prow, (nuint)c);
            }

            prow = ref Unsafe.Add(ref prow, stride);
        }

        // Forgetting inflates P along directions the data never excites (a constant series), so cap its size.
        if (!double.IsFinite(trace))
        {
            ResetCovariance(k);
            return false;
        }

        if (trace > MaxMeanCovariance * f)
        {
            var shrink = Vector256.Create(MaxMeanCovariance * f / trace);
            for (int i = 0; i < p.Length; i += n)
            {
                (Vector256.LoadUnsafe(ref pr, (nuint)i) * shrink).StoreUnsafe(ref pr, (nuint)i);
            }
        }

        // Every horizon's weights move along the same gain P x / denom, by its own prediction error: with the horizon as
        // the inner dimension of the weights this is H-wide vector arithmetic, in the same order per element as a dot
        // product per horizon. Horizons whose target is missing keep their weights. A block of horizons is predicted,
        // corrected and (for the forecast) predicted again from the updated weights while its rows are in L1.
        int h = Horizon;
        ref double tr = ref MemoryMarshal.GetReference(_z.AsSpan((k * _ringRow) + slot + 1, h));

        Span<double> w = _w.AsSpan(k * h * f, h * f);
        ref double wr = ref MemoryMarshal.GetReference(w);
        ref double xn = ref MemoryMarshal.GetArrayDataReference(_xNow);
        ref double dr = ref MemoryMarshal.GetArrayDataReference(_dots);
        j = 0;
        for (; j <= h - (2 * n); j += 2 * n)
        {
            // Two blocks of horizons side by side: independent chains, per element the single-block operations.
            var predicted0 = Vector256<double>.Zero;
            var predicted1 = Vector256<double>.Zero;
            ref double wj = ref Unsafe.Add(ref wr, j);
            for (int i = 0; i < f; i++)
            {
                var xi = Vector256.Create(Unsafe.Add(ref x, i));
                predicted0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wj), xi, predicted0);
                predicted1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wj, (nuint)n), xi, predicted1);
                wj = ref Unsafe.Add(ref wj, h);
            }

            var t0 = Vector256.LoadUnsafe(ref tr, (nuint)j);
            var t1 = Vector256.LoadUnsafe(ref tr, (nuint)(j + n));
            // A missing target gets error 0, which leaves its weights as they are (w + g * 0 == w).
            var e0 = Vector256.ConditionalSelect(Vector256.Equals(t0, t0), (t0 - predicted0) * invV, Vector256<double>.Zero);
            var e1 = Vector256.ConditionalSelect(Vector256.Equals(t1, t1), (t1 - predicted1) * invV, Vector256<double>.Zero);
            var next0 = Vector256<double>.Zero;
            var next1 = Vector256<double>.Zero;
            wj = ref Unsafe.Add(ref wr, j);
            for (int i = 0; i < f; i++)
            {
                var g = Vector256.Create(Unsafe.Add(ref px, i));
                var xi = Vector256.Create(Unsafe.Add(ref xn, i));
                var old0 = Vector256.LoadUnsafe(ref wj);
                var old1 = Vector256.LoadUnsafe(ref wj, (nuint)n);
                var updated0 = Vector256.FusedMultiplyAdd(g, e0, old0);
                var updated1 = Vector256.FusedMultiplyAdd(g, e1, old1);
                updated0.StoreUnsafe(ref wj);
                updated1.StoreUnsafe(ref wj, (nuint)n);
                next0 = Vector256.FusedMultiplyAdd(updated0, xi, next0);
                next1 = Vector256.FusedMultiplyAdd(updated1, xi, next1);
                wj = ref Unsafe.Add(ref wj, h);
            }

            next0.StoreUnsafe(ref dr, (nuint)j);
            next1.StoreUnsafe(ref dr, (nuint)(j + n));
        }

        for (; j <= h - n; j += n)
        {
            var predicted = Vector256<double>.Zero;
            ref double wj = ref Unsafe.Add(ref wr, j);
            for (int i = 0; i < f; i++)
            {
                predicted = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wj), Vector256.Create(Unsafe.Add(ref x, i)), predicted);
                wj = ref Unsafe.Add(ref wj, h);
            }

            var t = Vector256.LoadUnsafe(ref tr, (nuint)j);
            var e = Vector256.ConditionalSelect(Vector256.Equals(t, t), (t - predicted) * invV, Vector256<double>.Zero);
            var next = Vector256<double>.Zero;
            wj = ref Unsafe.Add(ref wr, j);
            for (int i = 0; i < f; i++)
            {
                var old = Vector256.LoadUnsafe(ref wj);
                var updated = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref px, i)), e, old);
                updated.StoreUnsafe(ref wj);
                next = Vector256.FusedMultiplyAdd(updated, Vector256.Create(Unsafe.Add(ref xn, i)), next);
                wj = ref Unsafe.Add(ref wj, h);
            }

            next.StoreUnsafe(ref dr, (nuint)j);
        }

        for (; j < h; j++)
        {
            double predicted = 0;
            for (int i = 0; i < f; i++)
            {
                predicted = Math.FusedMultiplyAdd(Unsafe.Add(ref wr, (i * h) + j), Unsafe.Add(ref x, i), predicted);
            }

            double t = Unsafe.Add(ref tr, j);
            double e = double.IsNaN(t) ? 0 : (t - predicted) * inv;
            double next = 0;
            for (int i = 0; i < f; i++)
            {
                ref double wi = ref Unsafe.Add(ref wr, (i * h) + j);
                wi = Math.FusedMultiplyAdd(Unsafe.Add(ref px, i), e, wi);
                next = Math.FusedMultiplyAdd(wi, Unsafe.Add(ref xn, i), next);
            }

            Unsafe.Add(ref dr, j) = next;
        }

        return forecast;
    }

    /// <summary>
    /// dots[j] = Σ_i w[i*H + j] x[i] for every horizon j, fused multiply-adds over i in order from 0 (the operations of
    /// the forecast pass in <see cref="Learn"/>), H-wide in vectors.
    /// </summary>
    private void Dots(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> dots)
    {
        int h = Horizon;
        int f = _features;
        if (w.Length < h * f || x.Length < f || dots.Length < h)
        {
            throw new ArgumentOutOfRangeException(nameof(w));
        }

        ref double wr = ref MemoryMarshal.GetReference(w);
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double dr = ref MemoryMarshal.GetReference(dots);
        int n = Vector256<double>.Count;
        int j = 0;
        for (; j <= h - n; j += n)
        {
            var acc = Vector256<double>.Zero;
            ref double wj = ref Unsafe.Add(ref wr, j);
            for (int i = 0; i < f; i++)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wj), Vector256.Create(Unsafe.Add(ref xr, i)), acc);
                wj = ref Unsafe.Add(ref wj, h);
            }

            acc.StoreUnsafe(ref dr, (nuint)j);
        }

        for (; j < h; j++)
        {
            double s = 0;
            for (int i = 0; i < f; i++)
            {
                s = Math.FusedMultiplyAdd(Unsafe.Add(ref wr, (i * h) + j), Unsafe.Add(ref xr, i), s);
            }

            Unsafe.Add(ref dr, j) = s;
        }
    }

    /// <summary>forecast[j] += scale * clamp(dots[j]): the standardised residual forecast on top of the seasonal part.</summary>
    private static void AddResidual(Span<double> forecast, ReadOnlySpan<double> dots, double scale)
    {
        int h = forecast.Length;
        if (dots.Length < h)
        {
            throw new ArgumentOutOfRangeException(nameof(dots));
        }

        ref double fr = ref MemoryMarshal.GetReference(forecast);
        ref double dr = ref MemoryMarshal.GetReference(dots);
        int n = Vector256<double>.Count;
        var scaleV = Vector256.Create(scale);
        var low = Vector256.Create(-MaxAbsZ);
        var high = Vector256.Create(MaxAbsZ);
        int j = 0;
        for (; j <= h - n; j += n)
        {
            // Math.Clamp element-wise, NaN passing through as it does there.
            var d = Vector256.LoadUnsafe(ref dr, (nuint)j);
            d = Vector256.ConditionalSelect(Vector256.LessThan(d, low), low, Vector256.ConditionalSelect(Vector256.GreaterThan(d, high), high, d));
            (Vector256.LoadUnsafe(ref fr, (nuint)j) + (scaleV * d)).StoreUnsafe(ref fr, (nuint)j);
        }

        for (; j < h; j++)
        {
            Unsafe.Add(ref fr, j) += scale * Math.Clamp(Unsafe.Add(ref dr, j), -MaxAbsZ, MaxAbsZ);
        }
    }

    private void ResetCovariance(int k)
    {
        int f = _features;
        Span<double> p = _p.AsSpan(k * f * _stride, f * _stride);
        p.Clear();
        for (int i = 0; i < f; i++)
        {
            p[(i * _stride) + i] = InitialCovariance;
        }
    }
}
