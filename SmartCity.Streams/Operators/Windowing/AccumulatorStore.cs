using System.Runtime.CompilerServices;
using SmartCity.Streams.Batches;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// The partial aggregates of every open window slot (a pane, a session or a sensor's running window) as
/// flat arrays: a row count per slot and one <see cref="MeasureState"/> per slot and measure, plus the
/// pooled quantile sketches. Slots are recycled through a free list, so memory follows the number of live
/// windows, not the number of windows ever seen.
/// </summary>
internal sealed class AccumulatorStore
{
    private readonly MeasurePlan[] _plans;
    private readonly int _measures;
    private readonly QuantileSketchArena? _sketches;
    private long[] _rows;
    private MeasureState[] _states;
    private SimpleState[] _simple;
    private long[] _reported;
    private bool _full;
    private int[] _free = new int[16];
    private int _freeCount;
    private int _used;

    /// <param name="plans">The measures.</param>
    /// <param name="sketches">The sketch pool, when a measure needs quantiles.</param>
    /// <param name="trackReported">Keep the row count of each slot's last result (for the processing-time trigger).</param>
    /// <param name="initialCapacity">Slots allocated up front.</param>
    public AccumulatorStore(MeasurePlan[] plans, QuantileSketchArena? sketches, bool trackReported = false, int initialCapacity = 64)
    {
        _plans = plans;
        _measures = plans.Length;
        _sketches = sketches;
        _rows = new long[initialCapacity];
        _reported = trackReported ? new long[initialCapacity] : [];
        _full = Array.Exists(plans, static p => !p.Simple);
        _states = _full ? new MeasureState[initialCapacity * Math.Max(1, _measures)] : [];
        _simple = new SimpleState[initialCapacity * Math.Max(1, _measures)];
    }

    /// <summary>Slots in use.</summary>
    public int Live => _used - _freeCount;

    /// <summary>Sketches in use (0 without quantiles).</summary>
    public int LiveSketches => _sketches?.Live ?? 0;

    /// <summary>Slots that exist (live or free); the length every per-slot array of the owner must cover.</summary>
    public int Capacity => _rows.Length;

    /// <summary>Rows per slot (the <c>count</c> column).</summary>
    public long[] Rows => _rows;

    /// <summary>Count and sum per slot and measure for measures that need nothing else.</summary>
    public SimpleState[] Simple => _simple;

    /// <summary>
    /// The input ordinal of the only measure when it needs count/sum/mean only, else -1: a window kernel can
    /// then fold the value in while it assigns the row, in one pass.
    /// </summary>
    public int SingleSimpleOrdinal => _measures == 1 && _plans[0].Simple ? _plans[0].Ordinal : -1;

    public int Rent()
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _free[--_freeCount];
        }
        else
        {
            if (_used == _rows.Length)
            {
                Array.Resize(ref _rows, _rows.Length * 2);
                if (_reported.Length > 0)
                {
                    Array.Resize(ref _reported, _rows.Length);
                }

                if (_full)
                {
                    Array.Resize(ref _states, _rows.Length * Math.Max(1, _measures));
                }

                Array.Resize(ref _simple, _rows.Length * Math.Max(1, _measures));
            }

            slot = _used++;
        }

        _rows[slot] = 0;
        if (_reported.Length > 0)
        {
            _reported[slot] = 0;
        }

        for (var m = 0; m < _measures; m++)
        {
            _simple[(slot * _measures) + m] = default;
            if (!_plans[m].Simple)
            {
                _states[(slot * _measures) + m].Reset(_plans[m].Sketch ? _sketches!.Rent() : -1);
            }
        }

        return slot;
    }

    /// <summary>
    /// Whether the slot received rows since its last result (<see cref="MarkReported"/>). Rows only ever grow
    /// in a live slot, so comparing counts costs nothing per row. Needs <c>trackReported</c>.
    /// </summary>
    public bool ChangedSinceReport(int slot) => _rows[slot] != _reported[slot];

    /// <summary>Remembers the slot's row count as reported; a no-op unless <c>trackReported</c>.</summary>
    public void MarkReported(int slot)
    {
        if (_reported.Length > 0)
        {
            _reported[slot] = _rows[slot];
        }
    }

    /// <summary>Empties a rented slot in place (keeps its sketches).</summary>
    public void Reset(int slot)
    {
        _rows[slot] = 0;
        for (var m = 0; m < _measures; m++)
        {
            _simple[(slot * _measures) + m] = default;
            if (_plans[m].Simple)
            {
                continue;
            }

            ref var state = ref _states[(slot * _measures) + m];
            var sketch = state.Sketch;
            if (sketch >= 0)
            {
                _sketches!.Reset(sketch);
            }

            state.Reset(sketch);
        }
    }

    public void Release(int slot)
    {
        for (var m = 0; m < _measures; m++)
        {
            if (!_plans[m].Sketch)
            {
                continue;
            }

            ref var state = ref _states[(slot * _measures) + m];
            if (state.Sketch >= 0)
            {
                _sketches!.Release(state.Sketch);
                state.Sketch = -1;
            }
        }

        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }

        _free[_freeCount++] = slot;
    }

    /// <summary>Adds <paramref name="source"/>'s partial aggregates into <paramref name="target"/>.</summary>
    public void Merge(int target, int source)
    {
        _rows[target] += _rows[source];
        for (var m = 0; m < _measures; m++)
        {
            if (_plans[m].Simple)
            {
                ref var a = ref _simple[(target * _measures) + m];
                ref readonly var b = ref _simple[(source * _measures) + m];
                a.Count += b.Count;
                a.Sum += b.Sum;
                continue;
            }

            ref var into = ref _states[(target * _measures) + m];
            ref readonly var from = ref _states[(source * _measures) + m];
            if (from.Sketch >= 0)
            {
                _sketches!.Merge(into.Sketch, from.Sketch);
            }

            into.Merge(in from);
        }
    }

    /// <summary>
    /// Adds every measure of the batch's rows to the slot each row was assigned (negative: not assigned, the
    /// row was late or rejected). Returns the number of values skipped because they were not finite.
    /// </summary>
    public long Accumulate(StreamBatch batch, ReadOnlySpan<int> slots)
    {
        long skipped = 0;
        for (var m = 0; m < _measures; m++)
        {
            var plan = _plans[m];
            var values = batch.GetDoubles(plan.Ordinal);
            skipped += plan.Simple
                ? AccumulateSimple(slots, values, m)
                : AccumulateFull(slots, batch.Times, values, m, plan);
        }

        return skipped;
    }

    /// <summary>Writes the count and the aggregate columns of a slot into an output row.</summary>
    public void WriteResult(BatchBuffer buffer, int row, int slot)
    {
        buffer.SetInt64(WindowColumns.Count, row, _rows[slot]);
        for (var m = 0; m < _measures; m++)
        {
            var plan = _plans[m];
            var column = plan.FirstOutputColumn;
            if (plan.Simple)
            {
                // The common count/sum/mean case, without the generic per-aggregate dispatch.
                var simple = _simple[(slot * _measures) + m];
                if ((plan.Kinds & AggregateKinds.Count) != 0)
                {
                    buffer.SetDouble(column++, row, simple.Count);
                }

                if ((plan.Kinds & AggregateKinds.Sum) != 0)
                {
                    buffer.SetDouble(column++, row, simple.Sum);
                }

                if ((plan.Kinds & AggregateKinds.Mean) != 0)
                {
                    buffer.SetDouble(column, row, simple.Count > 0 ? simple.Sum / simple.Count : double.NaN);
                }

                continue;
            }

            ref readonly var s = ref _states[(slot * _measures) + m];
            for (var bit = 0; bit < MeasurePlan.AggregateCount; bit++)
            {
                if (((int)plan.Kinds & (1 << bit)) != 0)
                {
                    buffer.SetDouble(column++, row, Value(in s, plan, bit));
                }
            }
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_used);
        writer.WriteArray<int>(_free.AsSpan(0, _freeCount));
        writer.WriteArray<long>(_rows.AsSpan(0, _used));
        writer.WriteArray<MeasureState>(_full ? _states.AsSpan(0, _used * _measures) : default);
        writer.WriteArray<SimpleState>(_simple.AsSpan(0, _used * _measures));
        writer.Write(_sketches is not null);
        _sketches?.Write(writer);
    }

    public void Read(BinaryReader reader)
    {
        var used = reader.ReadInt32();
        var free = reader.ReadArray<int>();
        var rows = reader.ReadArray<long>();
        var states = reader.ReadArray<MeasureState>();
        var simple = reader.ReadArray<SimpleState>();
        if (rows.Length != used || simple.Length != used * _measures || states.Length != (_full ? simple.Length : 0))
        {
            throw new InvalidDataException("The window state is corrupt (slot arrays do not match the slot count); it may come from a window with other measures.");
        }

        var capacity = Math.Max(64, used);
        _rows = new long[capacity];

        // Not part of the snapshot: after a restore every open window counts as not reported yet, so the
        // first processing-time pass re-reports it (a duplicate speculative result, never a missing one).
        _reported = _reported.Length > 0 ? new long[capacity] : [];
        _states = _full ? new MeasureState[capacity * Math.Max(1, _measures)] : [];
        rows.CopyTo(_rows, 0);
        states.CopyTo(_states, 0);
        _simple = new SimpleState[capacity * Math.Max(1, _measures)];
        simple.CopyTo(_simple, 0);
        _free = free.Length == 0 ? new int[16] : free;
        _freeCount = free.Length;
        _used = used;
        if (reader.ReadBoolean())
        {
            if (_sketches is null)
            {
                throw new InvalidDataException("The window state holds quantile sketches but this window computes no quantiles.");
            }

            _sketches.Read(reader);
        }
    }

    /// <summary>Adds one finite value to a slot (the per-row kernel, for callers outside a batch).</summary>
    internal void Add(int slot, int measure, long time, double x)
    {
        var plan = _plans[measure];
        _rows[slot]++;
        if (plan.Simple)
        {
            _simple[(slot * _measures) + measure].Count++;
            _simple[(slot * _measures) + measure].Sum += x;
            return;
        }

        Update(ref _states[(slot * _measures) + measure], time, x, plan.Moments, plan.MinMax, plan.FirstLast, plan.Sketch ? _sketches : null);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(ref MeasureState s, long t, double x, bool moments, bool minMax, bool firstLast, QuantileSketchArena? sketches)
    {
        s.Count++;
        s.Sum += x;
        if (moments)
        {
            s.AddMoments(x);
        }

        if (minMax)
        {
            if (x < s.Min)
            {
                s.Min = x;
            }

            if (x > s.Max)
            {
                s.Max = x;
            }
        }

        if (firstLast)
        {
            if (t < s.FirstTime)
            {
                s.FirstTime = t;
                s.First = x;
            }

            if (t >= s.LastTime)
            {
                s.LastTime = t;
                s.Last = x;
            }
        }

        sketches?.Add(s.Sketch, x);
    }

    private double Value(in MeasureState s, MeasurePlan plan, int bit)
    {
        var kind = (AggregateKinds)(1 << bit);
        var any = s.Count > 0;
        return kind switch
        {
            AggregateKinds.Count => s.Count,
            AggregateKinds.Sum => s.Sum,
            AggregateKinds.Min => any ? s.Min : double.NaN,
            AggregateKinds.Max => any ? s.Max : double.NaN,
            AggregateKinds.Mean => !any ? double.NaN : plan.Moments ? s.Mean : s.Sum / s.Count,
            AggregateKinds.Variance => s.Count > 1 ? s.M2 / (s.Count - 1) : double.NaN,
            AggregateKinds.StdDev => s.Count > 1 ? Math.Sqrt(s.M2 / (s.Count - 1)) : double.NaN,
            AggregateKinds.First => any ? s.First : double.NaN,
            AggregateKinds.Last => any ? s.Last : double.NaN,
            _ => _sketches!.Quantile(s.Sketch, MeasurePlan.Quantiles[bit - 9]),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long AccumulateSimple(ReadOnlySpan<int> slots, ReadOnlySpan<double> values, int m)
    {
        var states = _simple;
        var measures = _measures;
        long skipped = 0;
        values = values[..slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (slot < 0)
            {
                continue;
            }

            var x = values[i];
            if (!double.IsFinite(x))
            {
                skipped++;
                continue;
            }

            ref var s = ref states[(slot * measures) + m];
            s.Count++;
            s.Sum += x;
        }

        return skipped;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long AccumulateFull(ReadOnlySpan<int> slots, ReadOnlySpan<long> times, ReadOnlySpan<double> values, int m, MeasurePlan plan)
    {
        var states = _states;
        var measures = _measures;
        var sketches = _sketches;
        var moments = plan.Moments;
        var minMax = plan.MinMax;
        var firstLast = plan.FirstLast;
        var sketch = plan.Sketch;
        long skipped = 0;
        values = values[..slots.Length];
        times = times[..slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (slot < 0)
            {
                continue;
            }

            var x = values[i];
            if (!double.IsFinite(x))
            {
                skipped++;
                continue;
            }

            Update(ref states[(slot * measures) + m], times[i], x, moments, minMax, firstLast, sketch ? sketches : null);
        }

        return skipped;
    }
}
