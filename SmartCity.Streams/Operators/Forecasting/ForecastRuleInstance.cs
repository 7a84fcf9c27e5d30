using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>Per-lane state of a <see cref="ForecastRuleOperator"/>: per-key accumulators of the current issue and three lifecycles.</summary>
internal sealed class ForecastRuleInstance : OperatorInstance
{
    private const double TailMass = 0.05;

    private readonly ForecastRuleOptions _options;
    private readonly string _name;
    private readonly (int IssuedAt, int Target, int Horizon, int Forecast, int Lower, int Upper) _columns;
    private readonly EventLifecycle _condition;
    private readonly EventLifecycle _recovery;
    private readonly EventLifecycle _alternative;
    private readonly double _open;
    private readonly AlternativeRoute[] _routes;
    private int[] _routePairs = [];
    private int _routeKeys = -1;

    private long[] _issued = [];
    private double[] _score = [];
    private long[] _lead = [];
    private double[] _atLead = [];
    private double[] _now = [];
    private long[] _nowHorizon = [];
    private double[] _end = [];
    private long[] _endHorizon = [];
    private long[] _clearLead = [];
    private double[] _atMax = [];
    private long[] _maxLead = [];
    private bool[] _pending = [];
    private long[] _touchedIn = [];
    private int[] _touched = [];
    private int _touchedCount;
    private long _batches;

    public ForecastRuleInstance(OperatorContext context, ForecastRuleOperator definition)
        : base(context)
    {
        _options = definition.Options;
        _name = definition.Name;
        _columns = ForecastRuleOperator.RequireForecastColumns(context.InputSchema, definition.Name);
        _condition = new EventLifecycle(_options.Lifecycle);
        _recovery = new EventLifecycle(_options.Lifecycle);
        _alternative = new EventLifecycle(_options.Lifecycle);
        _open = _options.Lifecycle.OpenThreshold;
        _routes = _options.Alternatives is null ? [] : [.. _options.Alternatives];
    }

    protected override void OnBatch(StreamBatch batch, OperatorOutput output)
    {
        ReadOnlySpan<int> keys = batch.Keys;
        ReadOnlySpan<long> issued = batch.GetInt64s(_columns.IssuedAt);
        ReadOnlySpan<long> target = batch.GetInt64s(_columns.Target);
        ReadOnlySpan<long> horizon = batch.GetInt64s(_columns.Horizon);
        ReadOnlySpan<double> forecast = batch.GetDoubles(_columns.Forecast);
        ReadOnlySpan<double> lower = batch.GetDoubles(_columns.Lower);
        ReadOnlySpan<double> upper = batch.GetDoubles(_columns.Upper);
        EnsureKeys(batch.KeyIndex.Count);
        for (int i = 0; i < keys.Length; i++)
        {
            int k = keys[i];
            if (_issued[k] != issued[i])
            {
                if (_pending[k])
                {
                    Evaluate(k, batch.KeyIndex, output);
                }

                Start(k, issued[i]);
            }

            double p = Probability(forecast[i], lower[i], upper[i]);
            long lead = target[i] - issued[i];
            if (p > _score[k])
            {
                _score[k] = p;
                _maxLead[k] = lead;
                _atMax[k] = forecast[i];
            }

            if (p >= _open && lead < _lead[k])
            {
                _lead[k] = lead;
                _atLead[k] = forecast[i];
            }

            if (horizon[i] < _nowHorizon[k])
            {
                _now[k] = p;
                _nowHorizon[k] = horizon[i];
            }

            if (horizon[i] > _endHorizon[k])
            {
                _end[k] = p;
                _endHorizon[k] = horizon[i];
            }

            if (1 - p >= _open && lead < _clearLead[k])
            {
                _clearLead[k] = lead;
            }
        }

        for (int t = 0; t < _touchedCount; t++)
        {
            if (_pending[_touched[t]])
            {
                Evaluate(_touched[t], batch.KeyIndex, output);
            }
        }

        if (_routes.Length > 0)
        {
            EvaluateAlternatives(batch.KeyIndex, output);
        }

        _touchedCount = 0;
        _batches++;
        output.Emit(batch);
    }

    protected override void WriteState(BinaryWriter writer)
    {
        _condition.Write(writer);
        _recovery.Write(writer);
        _alternative.Write(writer);
    }

    protected override void ReadState(BinaryReader reader, int version)
    {
        _condition.Read(reader);
        _recovery.Read(reader);
        _alternative.Read(reader);
    }

    /// <summary>P(condition) from the forecast and its interval, treated as the central 90 % of a piecewise-uniform law.</summary>
    private double Probability(double forecast, double lower, double upper)
    {
        double t = _options.Threshold;
        double below;
        if (!(upper > lower))
        {
            below = forecast <= t ? 1 : 0;
        }
        else
        {
            below = Math.Clamp(TailMass + ((1 - (2 * TailMass)) * (t - lower) / (upper - lower)), 0, 1);
        }

        return _options.Direction == ThresholdDirection.Below ? below : 1 - below;
    }

    private void Start(int k, long issuedAt)
    {
        _issued[k] = issuedAt;
        _pending[k] = true;
        _score[k] = 0;
        _lead[k] = long.MaxValue;
        _atLead[k] = double.NaN;
        _maxLead[k] = 0;
        _atMax[k] = double.NaN;
        _now[k] = 0;
        _nowHorizon[k] = long.MaxValue;
        _end[k] = 0;
        _endHorizon[k] = long.MinValue;
        _clearLead[k] = long.MaxValue;
        if (_touchedIn[k] != _batches)
        {
            _touchedIn[k] = _batches;
            _touched[_touchedCount++] = k;
        }
    }

    private void Evaluate(int k, KeyIndex index, OperatorOutput output)
    {
        _pending[k] = false;
        long at = _issued[k];
        bool opens = _lead[k] != long.MaxValue;
        long lead = opens ? _lead[k] : _maxLead[k];
        double observed = opens ? _atLead[k] : _atMax[k];
        EventTransition transition = _condition.Observe(k, at, _score[k]);
        if (transition != EventTransition.None)
        {
            output.Emit(new CityEvent(_options.Kind, _options.Category, Phase(transition), index[k], _condition.OpenedAt(k), at, lead,
                _score[k], observed, _options.Threshold, _name));
        }

        if (_options.EmitRecovery)
        {
            // Recovery: in the condition at the first horizon, out of it by the last.
            double score = _now[k] >= 0.5 ? 1 - _end[k] : 0;
            transition = _recovery.Observe(k, at, score);
            if (transition != EventTransition.None)
            {
                long clear = _clearLead[k] == long.MaxValue ? 0 : _clearLead[k];
                output.Emit(new CityEvent(EventKind.Opportunity, EventCategory.Recovery, Phase(transition), index[k], _recovery.OpenedAt(k), at, clear,
                    score, double.NaN, _options.Threshold, _name));
            }
        }
    }

    private void EvaluateAlternatives(KeyIndex index, OperatorOutput output)
    {
        if (index.Count != _routeKeys)
        {
            ResolveRoutes(index);
        }

        for (int i = 0; i + 1 < _routePairs.Length; i += 2)
        {
            int route = _routePairs[i];
            int alternative = _routePairs[i + 1];
            if (route < 0 || alternative < 0 || _issued[alternative] == long.MinValue)
            {
                continue;
            }

            double score = _condition.IsOpen(route) ? 1 - _score[alternative] : 0;
            long at = Math.Max(_issued[route], _issued[alternative]);
            EventTransition transition = _alternative.Observe(route, at, score);
            if (transition != EventTransition.None)
            {
                output.Emit(new CityEvent(EventKind.Opportunity, EventCategory.FreeAlternative, Phase(transition), index[route], _alternative.OpenedAt(route), at, 0,
                    score, _atMax[alternative], _options.Threshold, _name));
            }
        }
    }

    /// <summary>Maps the routes' sensor ids to the lane's dense keys (-1 while unseen); runs only when new sensors appear.</summary>
    private void ResolveRoutes(KeyIndex index)
    {
        var dense = new Dictionary<SensorId, int>(index.Count);
        for (int d = 0; d < index.Count; d++)
        {
            dense[index[d]] = d;
        }

        _routePairs = new int[_routes.Length * 2];
        for (int i = 0; i < _routes.Length; i++)
        {
            _routePairs[2 * i] = dense.TryGetValue(_routes[i].Route, out int a) ? a : -1;
            _routePairs[(2 * i) + 1] = dense.TryGetValue(_routes[i].Alternative, out int b) ? b : -1;
        }

        _routeKeys = index.Count;
    }

    private static EventPhase Phase(EventTransition transition) => transition switch
    {
        EventTransition.Open => EventPhase.Open,
        EventTransition.Update => EventPhase.Update,
        _ => EventPhase.Resolve,
    };

    private void EnsureKeys(int count)
    {
        if (count <= _issued.Length)
        {
            return;
        }

        int size = Math.Max(count, Math.Max(64, _issued.Length * 2));
        int old = _issued.Length;
        Array.Resize(ref _issued, size);
        _issued.AsSpan(old).Fill(long.MinValue);
        Array.Resize(ref _score, size);
        Array.Resize(ref _lead, size);
        Array.Resize(ref _atLead, size);
        Array.Resize(ref _now, size);
        Array.Resize(ref _nowHorizon, size);
        Array.Resize(ref _end, size);
        Array.Resize(ref _endHorizon, size);
        Array.Resize(ref _clearLead, size);
        Array.Resize(ref _touched, size);
        Array.Resize(ref _atMax, size);
        Array.Resize(ref _maxLead, size);
        Array.Resize(ref _pending, size);
        Array.Resize(ref _touchedIn, size);
        _touchedIn.AsSpan(old).Fill(-1);
    }
}
