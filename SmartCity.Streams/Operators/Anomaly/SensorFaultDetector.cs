namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Per-sensor fault checks: stuck value (flat line), value outside the declared physical range, impossible jump,
/// and missing data — both a gap seen when the next reading arrives and a sensor gone silent, found from the
/// watermark so that a sensor that sends nothing is still reported.
/// </summary>
/// <remarks>
/// <para>State per key in flat arrays (last time, last value, flat-line run, learnt interval, silence flag); O(1) per
/// row, no allocation in steady state. Rows of one key must arrive in time order.</para>
/// <para>A NaN value is a reading without a value: it is flagged <see cref="SensorFaults.Missing"/> and does not count as
/// a sign of life for the silence check.</para>
/// <para>Warm-up: with a learnt interval, gaps are judged from the second interval observed on; before that a silent
/// sensor cannot be told from a slow one.</para>
/// </remarks>
public sealed class SensorFaultDetector
{
    private const int SnapshotVersion = 1;
    private readonly SensorFaultOptions _options;
    private readonly long _fixedInterval;
    private int _keyCount;
    private long[] _lastTime = [];
    private double[] _lastValue = [];
    private int[] _flatRun = [];
    private double[] _interval = [];
    private int[] _intervals = [];
    private bool[] _silent = [];

    /// <summary>Creates the detector.</summary>
    public SensorFaultDetector(SensorFaultOptions? options = null)
    {
        _options = options ?? new SensorFaultOptions();
        _options.Validate();
        _fixedInterval = _options.ExpectedInterval is { } i ? i.Ticks / 10 : 0;
    }

    /// <summary>The options.</summary>
    public SensorFaultOptions Options => _options;

    /// <summary>Number of keys with state.</summary>
    public int KeyCount => _keyCount;

    /// <summary>Checks a batch of readings: <paramref name="faults"/>[i] receives the faults of row i.</summary>
    public void Check(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<SensorFaults> faults) =>
        Check(keys, timesMicros, values, faults, []);

    /// <summary>As <see cref="Check(ReadOnlySpan{int}, ReadOnlySpan{long}, ReadOnlySpan{double}, Span{SensorFaults})"/>, and
    /// writes into <paramref name="previous"/> (when not empty) each row's key's last good value before the row (NaN if none).</summary>
    internal void Check(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<SensorFaults> faults, Span<double> previous)
    {
        int n = keys.Length;
        bool wantPrevious = !previous.IsEmpty;
        if (timesMicros.Length != n || values.Length != n || faults.Length < n)
        {
            Internal.ThrowHelper.Argument(nameof(faults), "keys, timesMicros and values must have the same length and faults must be at least as long.");
        }

        if (n == 0)
        {
            return;
        }

        EnsureKeys(StateArrays.MaxKey(keys) + 1);
        double min = _options.Minimum;
        double max = _options.Maximum;
        double rate = _options.MaxRatePerSecond;
        int flatReadings = _options.FlatLineReadings;
        double tolerance = _options.FlatLineTolerance;
        double gapIntervals = _options.GapIntervals;
        for (int i = 0; i < n; i++)
        {
            int k = keys[i];
            long t = timesMicros[i];
            double x = values[i];
            SensorFaults f = SensorFaults.None;
            if (wantPrevious)
            {
                previous[i] = _lastTime[k] != long.MinValue ? _lastValue[k] : double.NaN;
            }

            if (!double.IsFinite(x))
            {
                faults[i] = SensorFaults.Missing;
                continue;
            }

            if (x < min || x > max)
            {
                f |= SensorFaults.OutOfRange;
            }

            long last = _lastTime[k];
            if (last != long.MinValue)
            {
                long dt = t - last;
                double expected = ExpectedInterval(k);
                if (gapIntervals > 0 && expected > 0 && dt > gapIntervals * expected)
                {
                    f |= SensorFaults.Missing;
                }

                double dx = Math.Abs(x - _lastValue[k]);
                if (dx > rate * Math.Max(dt / 1e6, 1.0))
                {
                    f |= SensorFaults.ImpossibleJump;
                }

                int run = dx <= tolerance ? _flatRun[k] + 1 : 1;
                _flatRun[k] = Math.Min(run, int.MaxValue - 1);
                if (flatReadings > 0 && run >= flatReadings)
                {
                    f |= SensorFaults.FlatLine;
                }

                if (dt > 0)
                {
                    LearnInterval(k, dt);
                }
            }
            else
            {
                _flatRun[k] = 1;
            }

            _lastTime[k] = Math.Max(t, last);
            _lastValue[k] = x;
            _silent[k] = false;
            faults[i] = f;
        }
    }

    /// <summary>
    /// Finds the keys that have gone silent by <paramref name="watermark"/> (no reading for more than
    /// <see cref="SensorFaultOptions.GapIntervals"/> expected intervals). Each silence is reported once, until the key
    /// sends again. Writes up to <paramref name="silentKeys"/>.Length keys and returns how many were written; call
    /// again with the same watermark if the span was full.
    /// </summary>
    public int FindSilent(long watermark, Span<int> silentKeys)
    {
        double gapIntervals = _options.GapIntervals;
        if (gapIntervals <= 0)
        {
            return 0;
        }

        int found = 0;
        for (int k = 0; k < _keyCount && found < silentKeys.Length; k++)
        {
            long last = _lastTime[k];
            if (last == long.MinValue || _silent[k])
            {
                continue;
            }

            double expected = ExpectedInterval(k);
            if (expected > 0 && watermark - last > gapIntervals * expected)
            {
                _silent[k] = true;
                silentKeys[found++] = k;
            }
        }

        return found;
    }

    /// <summary>Event time of the key's last reading with a value, or <see cref="long.MinValue"/>.</summary>
    public long LastSeen(int key) => (uint)key < (uint)_keyCount ? _lastTime[key] : long.MinValue;

    /// <summary>The key's last value, NaN when it has none.</summary>
    public double LastValue(int key) => (uint)key < (uint)_keyCount && _lastTime[key] != long.MinValue ? _lastValue[key] : double.NaN;

    /// <summary>Makes sure state exists for keys 0..<paramref name="keyCount"/>-1.</summary>
    public void EnsureKeys(int keyCount)
    {
        if (keyCount <= _keyCount)
        {
            return;
        }

        if (keyCount > _lastTime.Length)
        {
            int cap = StateArrays.NextCapacity(_lastTime.Length, keyCount);
            StateArrays.Grow(ref _lastTime, cap, long.MinValue);
            StateArrays.Grow(ref _lastValue, cap, 0.0);
            StateArrays.Grow(ref _flatRun, cap, 0);
            StateArrays.Grow(ref _interval, cap, 0.0);
            StateArrays.Grow(ref _intervals, cap, 0);
            StateArrays.Grow(ref _silent, cap, false);
        }

        _keyCount = keyCount;
    }

    /// <summary>Writes the state of every key.</summary>
    public void Snapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(SnapshotVersion);
        writer.Write(_keyCount);
        StateArrays.Write(writer, _lastTime, _keyCount);
        StateArrays.Write(writer, _lastValue, _keyCount);
        StateArrays.Write(writer, _flatRun, _keyCount);
        StateArrays.Write(writer, _interval, _keyCount);
        StateArrays.Write(writer, _intervals, _keyCount);
        for (int k = 0; k < _keyCount; k++)
        {
            writer.Write(_silent[k]);
        }
    }

    /// <summary>Restores a state written by <see cref="Snapshot"/>.</summary>
    public void Restore(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.ReadInt32() != SnapshotVersion)
        {
            Internal.ThrowHelper.InvalidOperation("Unknown sensor-fault snapshot version.");
        }

        int keys = reader.ReadInt32();
        _keyCount = 0;
        _lastTime.AsSpan().Fill(long.MinValue);
        _flatRun.AsSpan().Clear();
        _interval.AsSpan().Clear();
        _intervals.AsSpan().Clear();
        _silent.AsSpan().Clear();
        EnsureKeys(keys);
        StateArrays.Read(reader, _lastTime, keys);
        StateArrays.Read(reader, _lastValue, keys);
        StateArrays.Read(reader, _flatRun, keys);
        StateArrays.Read(reader, _interval, keys);
        StateArrays.Read(reader, _intervals, keys);
        for (int k = 0; k < keys; k++)
        {
            _silent[k] = reader.ReadBoolean();
        }
    }

    private double ExpectedInterval(int k) => _fixedInterval > 0 ? _fixedInterval : _intervals[k] >= 2 ? _interval[k] : 0;

    private void LearnInterval(int k, long dt)
    {
        int seen = _intervals[k];
        double current = _interval[k];
        if (seen == 0)
        {
            _interval[k] = dt;
        }
        else
        {
            // Median-like tracking: gaps (rare, long) move the estimate by a small fixed fraction only, so the
            // estimate stays at the usual spacing instead of being dragged up by the very gaps it must detect.
            double step = 0.05 * current;
            _interval[k] = dt > current ? current + Math.Min(step, dt - current) : current - Math.Min(step, current - dt);
        }

        _intervals[k] = seen == int.MaxValue ? seen : seen + 1;
    }
}
