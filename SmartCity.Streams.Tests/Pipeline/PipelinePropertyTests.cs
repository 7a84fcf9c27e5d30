using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.Streams.Events;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Pipeline;

public class PipelinePropertyTests
{
    [Property(MaxTest = 40)]
    public Property Rechunking_the_same_rows_changes_no_output_and_no_event(int seed, PositiveInt size)
    {
        var rows = PipelineHarness.RandomRows(seed, 1 + (size.Get % 600), 1 + (seed & 7));
        var whole = PipelineHarness.Run(rows, [], lanes: 1);
        var chunked = PipelineHarness.Run(rows, PipelineHarness.RandomCuts(seed, rows.Count), lanes: 1);
        return (whole.Rows.SequenceEqual(chunked.Rows) && whole.Events.SequenceEqual(chunked.Events)).ToProperty();
    }

    [Property(MaxTest = 40)]
    public Property N_lanes_give_the_same_rows_and_events_as_one_lane(int seed, PositiveInt size)
    {
        var rows = PipelineHarness.RandomRows(seed, 1 + (size.Get % 600), 1 + (seed & 15));
        var lanes = 2 + (Math.Abs(seed) % 3);
        var one = PipelineHarness.Run(rows, PipelineHarness.RandomCuts(seed, rows.Count), lanes: 1);
        var many = PipelineHarness.Run(rows, PipelineHarness.RandomCuts(seed + 1, rows.Count), lanes);
        return (one.Rows.SequenceEqual(many.Rows) && one.Events.SequenceEqual(many.Events)).ToProperty();
    }

    [Property(MaxTest = 40)]
    public Property Snapshot_restore_then_continue_equals_an_uninterrupted_run(int seed, PositiveInt size)
    {
        var rows = PipelineHarness.RandomRows(seed, 2 + (size.Get % 600), 1 + (seed & 7));
        var lanes = 1 + (Math.Abs(seed) % 2);
        var batches = TestBatches.Chunk(rows, PipelineHarness.RandomCuts(seed, rows.Count));
        var split = Math.Abs(seed) % batches.Count;

        var expectedEvents = new CollectingEventSink();
        var expectedRows = new CollectingBatchSink();
        var uninterrupted = PipelineHarness.Builder(expectedEvents, expectedRows).Build().CreateRun(lanes);
        foreach (var b in batches)
        {
            uninterrupted.Process(b);
        }

        uninterrupted.Complete();

        var events = new CollectingEventSink();
        var sink = new CollectingBatchSink();
        var pipeline = PipelineHarness.Builder(events, sink).Build();
        var first = pipeline.CreateRun(lanes);
        for (var i = 0; i < split; i++)
        {
            first.Process(batches[i]);
        }

        using var snapshot = new MemoryStream();
        first.SaveState(snapshot);
        snapshot.Position = 0;
        var second = pipeline.CreateRun(lanes);
        second.RestoreState(snapshot);
        for (var i = split; i < batches.Count; i++)
        {
            second.Process(batches[i]);
        }

        second.Complete();

        var same = PipelineHarness.Describe(expectedRows).SequenceEqual(PipelineHarness.Describe(sink))
            && PipelineHarness.Describe(expectedEvents.Events).SequenceEqual(PipelineHarness.Describe(events.Events));
        return same.Label($"split at batch {split} of {batches.Count}");
    }
}
