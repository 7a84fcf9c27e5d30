using System.Runtime.CompilerServices;
using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators.Windowing;

/// <summary>
/// What every window kind shares: the accumulator store, the two-pass batch kernel (assign each row to a
/// slot, then fold every measure column into its slot), the output buffer and the late-row output.
/// </summary>
internal abstract class WindowInstance : OperatorInstance
{
    /// <summary>Event times beyond ±2^62 µs (±146,000 years) are rejected: window arithmetic must not overflow.</summary>
    protected const long TimeLimit = 1L << 62;

    private readonly RowSelection _lateSelection;
    private readonly BatchBuffer _output;
    private readonly int _updateColumn;
    private readonly TimeProvider? _earlyClock;
    private readonly TimeSpan _earlyInterval;
    private long _lastEarlyPass;
    private int[] _slots = new int[1024];
    private int[] _lateRows = new int[64];
    private int _lateCount;
    private long _rejected;

    protected WindowInstance(OperatorContext context, WindowOperator definition)
        : base(context)
    {
        var plans = new MeasurePlan[definition.Measures.Count];
        var column = WindowColumns.FirstAggregate;
        var anySketch = false;
        for (var m = 0; m < plans.Length; m++)
        {
            var measure = definition.Measures[m];
            plans[m] = new MeasurePlan(context.InputSchema.Require(measure.Column, ColumnType.Float64, definition.Name), measure.Aggregates, column);
            column += System.Numerics.BitOperations.PopCount((uint)measure.Aggregates);
            anySketch |= plans[m].Sketch;
        }

        var options = definition.Options;
        Store = new AccumulatorStore(
            plans,
            anySketch ? new QuantileSketchArena(options.SketchRelativeAccuracy, options.SketchBucketCount) : null,
            trackReported: options.EarlyResultEvery is not null);
        if (options.EarlyResultEvery is { } every)
        {
            // Processing-time state, deliberately not in snapshots: a restored instance starts a fresh interval.
            _earlyClock = context.Clock;
            _earlyInterval = every;
            _lastEarlyPass = _earlyClock.GetTimestamp();
        }

        Lateness = EventTime.FromTimeSpan(options.AllowedLateness);
        EarlyEvery = options.EarlyResultEveryRows;
        _updateColumn = column;
        _output = new BatchBuffer(context.OutputSchema, context.KeyIndex);
        _lateSelection = new RowSelection(context.InputSchema, context.KeyIndex);
        Watermark = EventTime.MinValue;
        PurgeBefore = EventTime.MinValue;
    }

    protected AccumulatorStore Store { get; }

    protected long Lateness { get; }

    protected int EarlyEvery { get; }

    /// <summary>The watermark in force for the current batch (the batch is classified against it): the last one passed to <see cref="OnWatermark"/>.</summary>
    protected long Watermark { get; private set; }

    /// <summary>Windows ending at or before this time are closed for good (watermark − allowed lateness).</summary>
    protected long PurgeBefore { get; private set; }

    /// <summary>Live slots (for tests: memory follows live windows).</summary>
    internal int LiveSlots => Store.Live;

    internal int LiveSketches => Store.LiveSketches;

    protected sealed override void OnBatch(StreamBatch batch, OperatorOutput output)
    {
        // The watermark in force is the last one this instance was told about, not the lane's: when an upstream
        // window emits results while the lane's watermark advances, those results (timed at their window end)
        // reach this operator before its own OnWatermark, and must not be judged late against it.

        // Keys materialise lazily and may add sensors to the key index: read them before sizing per-key state.
        _ = batch.Keys;
        EnsureKeys(batch.KeyIndex.Count);
        var n = batch.Length;
        if (_slots.Length < n)
        {
            _slots = new int[Math.Max(n, _slots.Length * 2)];
        }

        var slots = _slots.AsSpan(0, n);
        _lateCount = 0;
        _rejected = 0;
        var skipped = Assign(batch, slots);
        if (skipped < 0)
        {
            skipped = Store.Accumulate(batch, slots);
        }
        if (skipped > 0)
        {
            Context.Counters.AddSkipped(skipped);
        }

        if (_rejected > 0)
        {
            Context.Counters.AddRejected(_rejected);
        }

        if (_lateCount > 0)
        {
            var buffer = _lateSelection.GetBuffer(_lateCount);
            _lateRows.AsSpan(0, _lateCount).CopyTo(buffer);
            output.EmitLate(_lateSelection.Apply(batch, _lateCount));
        }

        AfterBatch();
        if (_earlyClock is not null)
        {
            EarlyPassIfDue();
        }

        Flush(output);
    }

    protected sealed override void OnWatermark(long watermark, OperatorOutput output)
    {
        SetWatermark(watermark);
        Advance();
        if (_earlyClock is not null)
        {
            // After the firing, so windows that just closed give their final result, not another early one.
            EarlyPassIfDue();
        }

        Flush(output);
    }

    protected sealed override void OnCompleted(OperatorOutput output)
    {
        Complete();
        Flush(output);
    }

    protected override void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Watermark);
        Store.Write(writer);
        WriteWindows(writer);
    }

    protected override void ReadState(BinaryReader reader, int version)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (version != StateVersion)
        {
            throw new InvalidDataException($"Window '{Context.OperatorName}' cannot read state version {version}.");
        }

        SetWatermark(reader.ReadInt64());
        Store.Read(reader);
        ReadWindows(reader);
    }

    /// <summary>
    /// Pass 1: the slot of every row (negative when the row is late or rejected), counting rows per slot.
    /// Returns -1, or, when the kernel also folded the measures in, the number of values skipped.
    /// </summary>
    protected abstract long Assign(StreamBatch batch, Span<int> slots);

    /// <summary>After the measures are folded in: emit updates and early results of the windows the batch touched.</summary>
    protected abstract void AfterBatch();

    /// <summary>The watermark advanced: fire windows that ended, release windows past the allowed lateness.</summary>
    protected abstract void Advance();

    /// <summary>
    /// The processing-time trigger is due: every window that has not fired and received rows since its last
    /// result emits a speculative result (use <see cref="ChangedSinceReport"/>; <see cref="Append"/> marks
    /// the slot reported).
    /// </summary>
    protected abstract void EmitEarly();

    /// <summary>End of stream: fire every window not fired yet.</summary>
    protected abstract void Complete();

    protected abstract void EnsureKeys(int keys);

    protected abstract void WriteWindows(BinaryWriter writer);

    protected abstract void ReadWindows(BinaryReader reader);

    [MethodImpl(MethodImplOptions.NoInlining)]
    protected void AddLate(int row)
    {
        if (_lateCount == _lateRows.Length)
        {
            Array.Resize(ref _lateRows, _lateRows.Length * 2);
        }

        _lateRows[_lateCount++] = row;
    }

    protected void AddRejected() => _rejected++;

    /// <summary>Appends one result row: the slot's aggregates for window [start, end) of a key.</summary>
    protected void Append(int key, long start, long end, int slot, bool isUpdate)
    {
        var row = _output.Append(key, end);
        _output.SetInt64(WindowColumns.Start, row, start);
        _output.SetInt64(WindowColumns.End, row, end);
        Store.WriteResult(_output, row, slot);
        _output.SetInt64(_updateColumn, row, isUpdate ? 1 : 0);
        Store.MarkReported(slot);
    }

    /// <summary>Whether a slot received rows since its last result (only with the processing-time trigger).</summary>
    protected bool ChangedSinceReport(int slot) => Store.ChangedSinceReport(slot);

    protected static long SaturatingSubtract(long value, long amount) =>
        value < long.MinValue + amount ? long.MinValue : value - amount;

    protected static long FloorDiv(long value, long divisor)
    {
        var q = value / divisor;
        return (value % divisor) < 0 ? q - 1 : q;
    }

    protected static void Grow<T>(ref T[] array, int length, T fill)
    {
        if (array.Length >= length)
        {
            return;
        }

        var old = array.Length;
        Array.Resize(ref array, Math.Max(length, old * 2));
        array.AsSpan(old).Fill(fill);
    }

    private void SetWatermark(long watermark)
    {
        Watermark = watermark;
        PurgeBefore = SaturatingSubtract(watermark, Lateness);
    }

    /// <summary>One clock read per batch or watermark; the pass itself is rare, so it stays out of the callers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EarlyPassIfDue()
    {
        var now = _earlyClock!.GetTimestamp();
        if (_earlyClock.GetElapsedTime(_lastEarlyPass, now) < _earlyInterval)
        {
            return;
        }

        _lastEarlyPass = now;
        EmitEarly();
    }

    private void Flush(OperatorOutput output)
    {
        if (_output.Count > 0)
        {
            output.Emit(_output.Batch);
            _output.Clear();
        }
    }
}
