using System.Runtime.CompilerServices;
using SmartCity.Streams.Batches;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Events;

/// <summary>
/// Per-key open / update / resolve state machine with a sustain time, hysteresis and cooldown, kept in flat arrays
/// indexed by dense key. Operators call <see cref="Observe"/> per row and build a <see cref="CityEvent"/> only when
/// it returns a transition, so the common case costs a few comparisons and no allocation.
/// </summary>
public sealed class EventLifecycle
{
    // Marks the snapshot layout that carries the pending runs; the first layout began with an array length (>= 0).
    private const int LayoutWithPending = -2;

    private readonly double _open;
    private readonly double _resolve;
    private readonly long _openAfter;
    private readonly long _resolveAfter;
    private readonly long _cooldown;
    private readonly double _updateDelta;
    private bool[] _isOpen = [];
    private long[] _openedAt = [];
    private long[] _belowSince = [];
    private long[] _cooldownUntil = [];
    private double[] _reported = [];
    private double[] _peak = [];
    private long[] _pendingSince = [];

    /// <summary>Creates the state machine; the options are validated by the caller.</summary>
    public EventLifecycle(EventLifecycleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _open = options.OpenThreshold;
        _resolve = options.ResolveThreshold;
        _openAfter = EventTime.FromTimeSpan(options.OpenAfter);
        _resolveAfter = EventTime.FromTimeSpan(options.ResolveAfter);
        _cooldown = EventTime.FromTimeSpan(options.Cooldown);
        _updateDelta = options.UpdateDelta;
    }

    /// <summary>
    /// Creates the state machine over raw levels (any scale): opens once the score has stayed at or above
    /// <paramref name="open"/> for <paramref name="openAfter"/> (default 0: on the first such row), resolves below
    /// <paramref name="resolve"/>.
    /// </summary>
    public EventLifecycle(double open, double resolve, TimeSpan resolveAfter, TimeSpan cooldown, double updateDelta, TimeSpan openAfter = default)
    {
        if (!(resolve <= open) || double.IsNaN(open) || !(updateDelta > 0))
        {
            throw new PipelineConfigurationException($"Event lifecycle levels are inconsistent: open={open}, resolve={resolve}, updateDelta={updateDelta}. The resolve level must not exceed the open level and the update step must be positive.");
        }

        if (openAfter < TimeSpan.Zero || resolveAfter < TimeSpan.Zero || cooldown < TimeSpan.Zero)
        {
            throw new PipelineConfigurationException($"Event lifecycle durations must not be negative: openAfter={openAfter}, resolveAfter={resolveAfter}, cooldown={cooldown}.");
        }

        _open = open;
        _resolve = resolve;
        _openAfter = EventTime.FromTimeSpan(openAfter);
        _resolveAfter = EventTime.FromTimeSpan(resolveAfter);
        _cooldown = EventTime.FromTimeSpan(cooldown);
        _updateDelta = updateDelta;
    }

    /// <summary>True when the key has an open condition.</summary>
    public bool IsOpen(int key) => (uint)key < (uint)_isOpen.Length && _isOpen[key];

    /// <summary>
    /// Event time at which the key's current (or last) condition began: its first row at or above the open level,
    /// which is earlier than the row that opened it when a sustain time (<see cref="EventLifecycleOptions.OpenAfter"/>) applies.
    /// </summary>
    public long OpenedAt(int key) => (uint)key < (uint)_openedAt.Length ? _openedAt[key] : EventTime.MinValue;

    /// <summary>Highest score seen during the key's current (or last) condition, the rows that sustained it included.</summary>
    public double Peak(int key) => (uint)key < (uint)_peak.Length ? _peak[key] : 0;

    /// <summary>Feeds one score; NaN scores are ignored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public EventTransition Observe(int key, long time, double score)
    {
        if ((uint)key >= (uint)_isOpen.Length)
        {
            Grow(key);
        }

        if (!_isOpen[key])
        {
            if (score >= _open && time >= _cooldownUntil[key])
            {
                return ObserveAtOpenLevel(key, time, score);
            }

            if (score < _open && _openAfter != 0)
            {
                _pendingSince[key] = EventTime.MinValue;
            }

            return EventTransition.None;
        }

        return ObserveOpen(key, time, score);
    }

    /// <summary>Closes the key's open condition and forgets a run waiting for the sustain time (end of stream is not a resolve: callers decide whether to emit).</summary>
    public void Reset(int key)
    {
        if ((uint)key < (uint)_isOpen.Length)
        {
            _isOpen[key] = false;
            _pendingSince[key] = EventTime.MinValue;
        }
    }

    /// <summary>Writes the state.</summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(LayoutWithPending);
        writer.WriteArray<long>(_pendingSince);
        writer.WriteArray<bool>(_isOpen);
        writer.WriteArray<long>(_openedAt);
        writer.WriteArray<long>(_belowSince);
        writer.WriteArray<long>(_cooldownUntil);
        writer.WriteArray<double>(_reported);
        writer.WriteArray<double>(_peak);
    }

    /// <summary>Reads the state written by <see cref="Write"/>, or by versions before the sustain time (no run is pending then).</summary>
    public void Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var layout = reader.ReadInt32();
        long[]? pending = null;
        if (layout == LayoutWithPending)
        {
            pending = reader.ReadArray<long>();
            _isOpen = reader.ReadArray<bool>();
        }
        else
        {
            _isOpen = StateSerialization.ReadArrayOfLength<bool>(reader, layout);
        }

        _openedAt = reader.ReadArray<long>();
        _belowSince = reader.ReadArray<long>();
        _cooldownUntil = reader.ReadArray<long>();
        _reported = reader.ReadArray<double>();
        _peak = reader.ReadArray<double>();
        if (pending is null)
        {
            pending = new long[_isOpen.Length];
            pending.AsSpan().Fill(EventTime.MinValue);
        }

        _pendingSince = pending;

        var length = _isOpen.Length;
        if (_openedAt.Length != length || _belowSince.Length != length || _cooldownUntil.Length != length || _reported.Length != length
            || _peak.Length != length || _pendingSince.Length != length)
        {
            throw new InvalidDataException($"The event lifecycle's saved arrays disagree in length (keys {length}); the state is corrupt.");
        }
    }

    /// <summary>A closed key's row at or above the open level: starts or extends the run that opens after the sustain time (at once without one).</summary>
    private EventTransition ObserveAtOpenLevel(int key, long time, double score)
    {
        var since = _pendingSince[key];
        if (since == EventTime.MinValue)
        {
            _pendingSince[key] = since = time;
            _peak[key] = score;
        }
        else if (score > _peak[key])
        {
            _peak[key] = score;
        }

        if (time - since < _openAfter)
        {
            return EventTransition.None;
        }

        _isOpen[key] = true;
        _openedAt[key] = since;
        _pendingSince[key] = EventTime.MinValue;
        _belowSince[key] = EventTime.MinValue;
        _reported[key] = score;
        return EventTransition.Open;
    }

    private EventTransition ObserveOpen(int key, long time, double score)
    {
        if (score >= _resolve || double.IsNaN(score))
        {
            _belowSince[key] = EventTime.MinValue;
            if (score > _peak[key])
            {
                _peak[key] = score;
            }

            if (score >= _reported[key] + _updateDelta)
            {
                _reported[key] = score;
                return EventTransition.Update;
            }

            return EventTransition.None;
        }

        if (_belowSince[key] == EventTime.MinValue)
        {
            _belowSince[key] = time;
        }

        if (time - _belowSince[key] >= _resolveAfter)
        {
            _isOpen[key] = false;
            _cooldownUntil[key] = time + _cooldown;
            return EventTransition.Resolve;
        }

        return EventTransition.None;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int key)
    {
        var size = Math.Max(key + 1, Math.Max(64, _isOpen.Length * 2));
        var old = _isOpen.Length;
        Array.Resize(ref _isOpen, size);
        Array.Resize(ref _openedAt, size);
        Array.Resize(ref _belowSince, size);
        Array.Resize(ref _cooldownUntil, size);
        Array.Resize(ref _reported, size);
        Array.Resize(ref _peak, size);
        Array.Resize(ref _pendingSince, size);
        _pendingSince.AsSpan(old).Fill(EventTime.MinValue);
        _cooldownUntil.AsSpan(old).Fill(EventTime.MinValue);
        _belowSince.AsSpan(old).Fill(EventTime.MinValue);
    }
}
