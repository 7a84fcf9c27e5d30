namespace SmartCity.Streams.Tests.TestSupport;

/// <summary>
/// Test classes that assert zero bytes allocated per batch (<see cref="GC.GetAllocatedBytesForCurrentThread"/>). xunit
/// runs this collection on its own, after the parallel ones: a class running beside them (the million-key window test
/// drives the GC hard, broker tests start processes) must not be able to charge a one-off runtime allocation to the
/// measuring thread. The assertions themselves stay exact: 0 bytes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuringCollection
{
    public const string Name = "Allocation measuring (not parallel)";
}
