using System.Runtime.Intrinsics;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Direct multi-horizon autoregression on the standardised deseasonalised series z = (y - profile) / scale, fitted by
/// recursive least squares with exponential forgetting. Every horizon h regresses z[t+h] on the same features
/// x[t] = (1, z[t..t-p+1], neighbour mean z[t..t-q+1]), so one inverse-covariance matrix P per key serves all
/// horizons: an update costs O(F^2 + H*F) instead of O(H*F^2). Learning waits until all H targets of x[t-H] are
/// known, i.e. the horizon-1 weights learn H-1 steps late, which forgetting factors close to 1 hardly notice.
/// The weights are laid out per key as [feature * H + horizon - 1], horizon innermost, so all horizons update as vectors.
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
    private readonly int _ring;
    private readonly double _lambda;
    private readonly double _invLambda;
    private readonly double[] _x;
    private readonly double[] _px;
    private readonly int[] _weekAhead;
    private readonly double[] _dots;
    private readonly double[] _targets;
    private readonly int[] _dayAhead;
    private double[] _variance = [];
    private double[] _count = [];
    private double[] _z = [];
    private double[] _nz = [];
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
        _lambda = lambda;
        _invLambda = 1 / lambda;
        _x = new double[_features];
        _px = new double[_features];
        _weekAhead = new int[horizon];
        _dots = new double[horizon];
        _targets = new double[horizon];
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
        FlatState.Grow(ref _z, keys * _ring, double.NaN);
        FlatState.Grow(ref _nz, keys * _ring, double.NaN);
        FlatState.Grow(ref _w, keys * Horizon * f, 0);
        int old = _p.Length / (f * f);
        FlatState.Grow(ref _p, keys * f * f, 0);
        for (int k = old; k < keys; k++)
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

        for (int k = 0; k < keyCount; k++)
        {
            _z[(k * _ring) + slot] = Standardise(k, week, day, values[k]);
        }

        if (_graph is not null)
        {
            for (int k = 0; k < keyCount; k++)
            {
                _nz[(k * _ring) + slot] = NeighbourMean(k, slot, keyCount);
            }
        }

        for (int k = 0; k < keyCount; k++)
        {
            if (Features(k, past))
            {
                Learn(k, past);
            }

            Span<double> f = forecasts.Slice(k * h, h);
            if (!Features(k, slot))
            {
                f.Fill(double.NaN);
                continue;
            }

            double scale = Scale(k);
            Span<double> dots = _dots;
            Dots(_w.AsSpan(k * h * _features, h * _features), _x, dots);
            for (int j = 0; j < h; j++)
            {
                f[j] = _profile.Expected(k, _weekAhead[j], _dayAhead[j]) + (scale * Math.Clamp(dots[j], -MaxAbsZ, MaxAbsZ));
            }
        }
    }

    public override void Write(BinaryWriter writer, int keyCount)
    {
        _profile.Write(writer, keyCount);
        FlatState.Write(writer, _variance, keyCount);
        FlatState.Write(writer, _count, keyCount);
        FlatState.Write(writer, _z, keyCount * _ring);
        FlatState.Write(writer, _nz, keyCount * _ring);
        FlatState.Write(writer, _p, keyCount * _features * _features);
        FlatState.Write(writer, _w, keyCount * Horizon * _features);
    }

    public override void Read(BinaryReader reader)
    {
        _profile.Read(reader);
        FlatState.Read(reader, ref _variance, 0);
        FlatState.Read(reader, ref _count, 0);
        FlatState.Read(reader, ref _z, double.NaN);
        FlatState.Read(reader, ref _nz, double.NaN);
        FlatState.Read(reader, ref _p, 0);
        FlatState.Read(reader, ref _w, 0);
        _capacity = Math.Min(_variance.Length, _p.Length / (_features * _features));
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private double Scale(int k) => Math.Sqrt(_variance[k]) + 1e-9;

    private double Standardise(int k, int week, int day, double y)
    {
        if (double.IsNaN(y))
        {
            return double.NaN;
        }

        double expected = _profile.Expected(k, week, day);
        double r = double.IsNaN(expected) ? 0 : y - expected;
        double n = _count[k] + 1;
        _count[k] = n;
        _variance[k] += Math.Max(1.0 / n, MinScaleWeight) * ((r * r) - _variance[k]);
        _profile.Update(k, week, day, y);
        return Math.Clamp(r / Scale(k), -MaxAbsZ, MaxAbsZ);
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
                double z = _z[(j * _ring) + slot];
                if (!double.IsNaN(z))
                {
                    sum += weights[i] * z;
                    weight += weights[i];
                }
            }
        }

        return weight > 0 ? sum / weight : double.NaN;
    }

    /// <summary>Fills the scratch feature vector for the time at ring slot <paramref name="at"/>; false when its newest own value is missing.</summary>
    private bool Features(int k, int at)
    {
        int row = k * _ring;
        if (double.IsNaN(_z[row + at]))
        {
            return false;
        }

        _x[0] = 1;
        int lag = at;
        for (int i = 0; i < _order; i++, lag = lag == 0 ? _ring - 1 : lag - 1)
        {
            double z = _z[row + lag];
            _x[1 + i] = double.IsNaN(z) ? 0 : z;
        }

        lag = at;
        for (int i = 0; i < _neighbourLags; i++, lag = lag == 0 ? _ring - 1 : lag - 1)
        {
            double z = _nz[row + lag];
            _x[1 + _order + i] = double.IsNaN(z) ? 0 : z;
        }

        return true;
    }

    private void Learn(int k, int slot)
    {
        int f = _features;
        Span<double> p = _p.AsSpan(k * f * f, f * f);
        double denom = _lambda;
        for (int i = 0; i < f; i++)
        {
            double s = Dot(p.Slice(i * f, f), _x);
            _px[i] = s;
            denom += _x[i] * s;
        }

        if (!(denom > 0) || !double.IsFinite(denom))
        {
            ResetCovariance(k);
            return;
        }

        double inv = 1 / denom;
        double invLambda = _invLambda;
        double trace = 0;
        ReadOnlySpan<double> px = _px;
        int vectorEnd = Vector256.IsHardwareAccelerated ? f - (f % Vector256<double>.Count) : 0;
        var invLambdaV = Vector256.Create(invLambda);
        for (int i = 0; i < f; i++)
        {
            double gi = px[i] * inv;
            Span<double> pr = p.Slice(i * f, f);
            int j = 0;
            if (vectorEnd > 0)
            {
                // Element-wise, the same operations as the scalar loop.
                var giV = Vector256.Create(gi);
                for (; j < vectorEnd; j += Vector256<double>.Count)
                {
                    var old = Vector256.Create(pr.Slice(j, Vector256<double>.Count));
                    ((old - (giV * Vector256.Create(px.Slice(j, Vector256<double>.Count)))) * invLambdaV).CopyTo(pr.Slice(j, Vector256<double>.Count));
                }
            }

            for (; j < f; j++)
            {
                pr[j] = (pr[j] - (gi * px[j])) * invLambda;
            }

            trace += pr[i];
        }

        // Forgetting inflates P along directions the data never excites (a constant series), so cap its size.
        if (!double.IsFinite(trace))
        {
            ResetCovariance(k);
            return;
        }

        if (trace > MaxMeanCovariance * f)
        {
            double shrink = MaxMeanCovariance * f / trace;
            for (int i = 0; i < p.Length; i++)
            {
                p[i] *= shrink;
            }
        }

        // Every horizon's weights move along the same gain P x / denom, by its own prediction error: with the horizon as
        // the inner dimension of the weights this is H-wide vector arithmetic, in the same order per element as a dot
        // product per horizon. Horizons whose target is missing keep their weights.
        int h = Horizon;
        int ringRow = k * _ring;
        Span<double> targets = _targets;
        for (int j = 0; j < h; j++)
        {
            slot = slot + 1 == _ring ? 0 : slot + 1;
            targets[j] = _z[ringRow + slot];
        }

        Span<double> w = _w.AsSpan(k * h * f, h * f);
        Span<double> dots = _dots;
        Dots(w, _x, dots);
        for (int j = 0; j < h; j++)
        {
            dots[j] = (targets[j] - dots[j]) * inv;
        }

        int horizonVectorEnd = Vector256.IsHardwareAccelerated ? h - (h % Vector256<double>.Count) : 0;
        for (int i = 0; i < f; i++)
        {
            Span<double> wi = w.Slice(i * h, h);
            double g = _px[i];
            int j = 0;
            if (horizonVectorEnd > 0)
            {
                var gv = Vector256.Create(g);
                for (; j < horizonVectorEnd; j += Vector256<double>.Count)
                {
                    var t = Vector256.Create(targets.Slice(j, Vector256<double>.Count));
                    var e = Vector256.Create(dots.Slice(j, Vector256<double>.Count));
                    var old = Vector256.Create(wi.Slice(j, Vector256<double>.Count));
                    Vector256.ConditionalSelect(Vector256.Equals(t, t), old + (gv * e), old).CopyTo(wi.Slice(j, Vector256<double>.Count));
                }
            }

            for (; j < h; j++)
            {
                if (!double.IsNaN(targets[j]))
                {
                    wi[j] += g * dots[j];
                }
            }
        }
    }

    /// <summary>
    /// dots[j] = Σ_i w[i*H + j] x[i] for every horizon j, accumulated over i in order from 0 (the same rounding as one
    /// dot product per horizon), H-wide in vectors.
    /// </summary>
    private void Dots(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> dots)
    {
        int h = Horizon;
        int f = _features;
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= h - Vector256<double>.Count; j += Vector256<double>.Count)
            {
                var acc = Vector256<double>.Zero;
                for (int i = 0; i < f; i++)
                {
                    acc += Vector256.Create(w.Slice((i * h) + j, Vector256<double>.Count)) * Vector256.Create(x[i]);
                }

                acc.CopyTo(dots.Slice(j, Vector256<double>.Count));
            }
        }

        for (; j < h; j++)
        {
            double s = 0;
            for (int i = 0; i < f; i++)
            {
                s += w[(i * h) + j] * x[i];
            }

            dots[j] = s;
        }
    }

    private void ResetCovariance(int k)
    {
        int f = _features;
        Span<double> p = _p.AsSpan(k * f * f, f * f);
        p.Clear();
        for (int i = 0; i < f; i++)
        {
            p[(i * f) + i] = InitialCovariance;
        }
    }
}
