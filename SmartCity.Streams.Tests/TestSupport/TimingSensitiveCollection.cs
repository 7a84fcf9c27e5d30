namespace SmartCity.Streams.Tests.TestSupport;

/// <summary>
/// Tests whose outcome depends on wall-clock deadlines (lease time-to-live and renewal). xunit runs this collection on
/// its own, after the parallel ones, so a CPU-starved or GC-paused process on a 2-core machine cannot turn a healthy
/// lease holder into a lost one and fail the test for reasons the product would handle (it would stop safely).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitiveCollection
{
    public const string Name = "Timing sensitive (not parallel)";
}
