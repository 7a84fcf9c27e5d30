using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Pipeline;

namespace SmartCity.Streams.Testing;

/// <summary>
/// The contract every SmartCity.Streams operator is held to, callable from any test framework: each check
/// runs the operator in a small pipeline and throws <see cref="OperatorContractException"/> with the first
/// difference when a rule is broken.
/// </summary>
/// <example>
/// <code>
/// var contract = new OperatorContract(new InputBinding("sensor", "time", ["occupancy"]),
///     b => b.Then(new MyOperator("mine", "occupancy")));
/// contract.AssertAll(myRecordBatches);
/// </code>
/// </example>
public sealed class OperatorContract
{
    private readonly InputBinding _input;
    private readonly Func<PipelineBuilder, PipelineBuilder> _configure;

    /// <summary>Creates the contract for the operators that <paramref name="configure"/> appends to a pipeline reading <paramref name="input"/>.</summary>
    public OperatorContract(InputBinding input, Func<PipelineBuilder, PipelineBuilder> configure)
    {
        _input = input ?? throw new ArgumentNullException(nameof(input));
        _configure = configure ?? throw new ArgumentNullException(nameof(configure));
    }

    /// <summary>Out-of-orderness given to the pipeline (the input's disorder must stay within it). Default 0.</summary>
    public TimeSpan OutOfOrderness { get; init; } = TimeSpan.Zero;

    /// <summary>Random re-chunkings, lane counts and snapshot points tried per check. Default 10.</summary>
    public int Iterations { get; init; } = 10;

    /// <summary>Seed of the random choices, printed in failures so they can be replayed. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Runs every check.</summary>
    public void AssertAll(IReadOnlyList<RecordBatch> input, int zeroAllocationWarmUpBatches = -1)
    {
        AssertBatchSplitInvariance(input);
        AssertLaneInvariance(input);
        AssertSnapshotRestore(input);
        AssertBadInputTolerated(input);
        if (zeroAllocationWarmUpBatches >= 0)
        {
            AssertZeroAllocation(input, zeroAllocationWarmUpBatches);
        }
    }

    /// <summary>Cutting the same rows into other batches must not change any output row or event.</summary>
    public void AssertBatchSplitInvariance(IReadOnlyList<RecordBatch> input)
    {
        var all = Concatenate(input);
        var expected = Run([all], lanes: 1, snapshotAfter: -1);
        var random = new Random(Seed);
        for (var i = 0; i < Iterations; i++)
        {
            var chunks = RandomChunks(all, random, out var cuts);
            Compare(expected, Run(chunks, lanes: 1, snapshotAfter: -1), $"batch-split invariance (cuts at rows {cuts}, seed {Seed}, iteration {i})");
        }
    }

    /// <summary>Running on N lanes must give the same output rows and events as one lane.</summary>
    public void AssertLaneInvariance(IReadOnlyList<RecordBatch> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var expected = Run(input, lanes: 1, snapshotAfter: -1);
        for (var lanes = 2; lanes <= 2 + Math.Min(Iterations, 3); lanes++)
        {
            Compare(expected, Run(input, lanes, snapshotAfter: -1), $"{lanes} lanes = 1 lane");
        }
    }

    /// <summary>Snapshot, restore into a fresh run, continue: same output as an uninterrupted run.</summary>
    public void AssertSnapshotRestore(IReadOnlyList<RecordBatch> input)
    {
        var all = Concatenate(input);
        var random = new Random(Seed + 17);
        for (var i = 0; i < Iterations; i++)
        {
            var chunks = RandomChunks(all, random, out var cuts);
            var expected = Run(chunks, lanes: 1, snapshotAfter: -1);
            var at = random.Next(chunks.Count);
            var lanes = 1 + random.Next(2);
            Compare(expected, Run(chunks, lanes, snapshotAfter: at), $"snapshot/restore after batch {at} of {chunks.Count} on {lanes} lane(s) (cuts at rows {cuts}, seed {Seed})");
        }
    }

    /// <summary>
    /// After <paramref name="warmUpBatches"/> batches, processing the rest allocates 0 bytes on the calling thread.
    /// The rest is measured in up to three consecutive stretches and one of them must allocate nothing (see
    /// <see cref="SteadyStateAllocation"/>).
    /// </summary>
    public void AssertZeroAllocation(IReadOnlyList<RecordBatch> input, int warmUpBatches)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (warmUpBatches >= input.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(warmUpBatches), "Leave at least one batch to measure after the warm-up.");
        }

        var pipeline = _configure(StreamPipeline.Create(_input).WithOutOfOrderness(OutOfOrderness)).Build();
        using var run = pipeline.CreateRun();
        for (var i = 0; i < warmUpBatches; i++)
        {
            run.Process(input[i]);
        }

        // The measured batches are cut into up to three consecutive stretches: a per-batch allocation shows in each.
        var measured = input.Count - warmUpBatches;
        var stretches = Math.Min(3, measured);
        var allocated = SteadyStateAllocation.Minimum(stretches, stretch =>
        {
            var end = warmUpBatches + (measured * (stretch + 1) / stretches);
            for (var i = warmUpBatches + (measured * stretch / stretches); i < end; i++)
            {
                run.Process(input[i]);
            }
        });
        if (allocated != 0)
        {
            throw new OperatorContractException(
                $"zero allocation: every stretch of the {measured} steady-state batches allocated, the least {allocated:N0} bytes " +
                $"(after {warmUpBatches} warm-up batches). Look for per-batch arrays, LINQ, closures, boxing or string formatting in the hot path.");
        }
    }

    /// <summary>
    /// Measures that are NaN, ±Infinity or null, and an empty batch, are processed without an exception, and the
    /// run completes.
    /// </summary>
    public void AssertBadInputTolerated(IReadOnlyList<RecordBatch> input)
    {
        var sample = Concatenate(input);
        foreach (var (name, value) in new (string, double?)[] { ("NaN", double.NaN), ("+Infinity", double.PositiveInfinity), ("-Infinity", double.NegativeInfinity), ("null", null), ("1e300", 1e300) })
        {
            var poisoned = ReplaceMeasures(sample, value, every: 3);
            try
            {
                Run([sample.Slice(0, 0), poisoned, sample], lanes: 1, snapshotAfter: -1);
            }
            catch (Exception e) when (e is not OperatorContractException)
            {
                throw new OperatorContractException($"bad input: every third measure set to {name} made the pipeline throw: {e.Message}", e);
            }
        }
    }

    private (List<string> Rows, List<string> Events) Run(IReadOnlyList<RecordBatch> batches, int lanes, int snapshotAfter)
    {
        var sink = new RecordingSink();
        var pipeline = _configure(StreamPipeline.Create(_input).WithOutOfOrderness(OutOfOrderness)).SendBatchesTo(sink).SendEventsTo(sink).Build();
        var run = pipeline.CreateRun(lanes);
        for (var i = 0; i < batches.Count; i++)
        {
            run.Process(batches[i]);
            if (i == snapshotAfter)
            {
                using var state = new MemoryStream();
                run.SaveState(state);
                state.Position = 0;
                run = pipeline.CreateRun(lanes);
                run.RestoreState(state);
            }
        }

        run.Complete();
        return sink.Sorted();
    }

    private static void Compare((List<string> Rows, List<string> Events) expected, (List<string> Rows, List<string> Events) actual, string check)
    {
        CompareLists(expected.Rows, actual.Rows, check, "output rows");
        CompareLists(expected.Events, actual.Events, check, "events");
    }

    private static void CompareLists(List<string> expected, List<string> actual, string check, string what)
    {
        var n = Math.Min(expected.Count, actual.Count);
        for (var i = 0; i < n; i++)
        {
            if (!string.Equals(expected[i], actual[i], StringComparison.Ordinal))
            {
                throw new OperatorContractException($"{check}: {what} differ at sorted position {i}.\n  expected: {expected[i]}\n  actual:   {actual[i]}");
            }
        }

        if (expected.Count != actual.Count)
        {
            var extra = expected.Count > actual.Count ? "missing: " + expected[n] : "unexpected: " + actual[n];
            throw new OperatorContractException($"{check}: expected {expected.Count} {what}, got {actual.Count}; first {extra}");
        }
    }

    private static List<RecordBatch> RandomChunks(RecordBatch all, Random random, out string cuts)
    {
        var points = new SortedSet<int>();
        var count = all.Length < 2 ? 0 : random.Next(1, Math.Min(12, all.Length));
        for (var i = 0; i < count; i++)
        {
            points.Add(random.Next(1, all.Length));
        }

        cuts = points.Count == 0 ? "(none)" : string.Join(",", points);
        var chunks = new List<RecordBatch>();
        var start = 0;
        foreach (var p in points)
        {
            chunks.Add(all.Slice(start, p - start));
            start = p;
        }

        chunks.Add(all.Slice(start, all.Length - start));
        return chunks;
    }

    private static RecordBatch Concatenate(IReadOnlyList<RecordBatch> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Count == 0)
        {
            throw new ArgumentException("The contract needs at least one input batch.", nameof(input));
        }

        if (input.Count == 1)
        {
            return input[0];
        }

        var schema = input[0].Schema;
        var columns = new IArrowArray[schema.FieldsList.Count];
        var length = 0;
        foreach (var batch in input)
        {
            length += batch.Length;
        }

        for (var c = 0; c < columns.Length; c++)
        {
            var parts = new List<IArrowArray>(input.Count);
            foreach (var batch in input)
            {
                parts.Add(batch.Column(c));
            }

            columns[c] = ArrowArrayConcatenator.Concatenate(parts);
        }

        return new RecordBatch(schema, columns, length);
    }

    private RecordBatch ReplaceMeasures(RecordBatch batch, double? value, int every)
    {
        var columns = new IArrowArray[batch.ColumnCount];
        var fields = new List<Field>(batch.Schema.FieldsList.Count);
        for (var c = 0; c < columns.Length; c++)
        {
            var field = batch.Schema.GetFieldByIndex(c);
            var measure = false;
            foreach (var name in _input.MeasureColumns)
            {
                measure |= string.Equals(name, field.Name, StringComparison.Ordinal);
            }

            if (!measure)
            {
                columns[c] = batch.Column(c);
                fields.Add(field);
                continue;
            }

            var builder = new DoubleArray.Builder().Reserve(batch.Length);
            var source = batch.Column(c);
            for (var i = 0; i < batch.Length; i++)
            {
                if (i % every == 0)
                {
                    if (value is { } v)
                    {
                        builder.Append(v);
                    }
                    else
                    {
                        builder.AppendNull();
                    }
                }
                else
                {
                    builder.Append(ReadDouble(source, i));
                }
            }

            columns[c] = builder.Build();
            fields.Add(new Field(field.Name, DoubleType.Default, nullable: true));
        }

        return new RecordBatch(new Schema(fields, batch.Schema.Metadata), columns, batch.Length);
    }

    private static double ReadDouble(IArrowArray array, int row) => array.IsNull(row) ? double.NaN : array switch
    {
        DoubleArray a => a.Values[row],
        FloatArray a => a.Values[row],
        Int32Array a => a.Values[row],
        Int64Array a => a.Values[row],
        _ => double.NaN,
    };
}
