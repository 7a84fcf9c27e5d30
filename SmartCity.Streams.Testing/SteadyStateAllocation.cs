namespace SmartCity.Streams.Testing;

/// <summary>
/// Measures what warmed-up work allocates on the calling thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>),
/// robust to the runtime's own one-off allocations.
/// </summary>
/// <remarks>
/// On a loaded machine tiered compilation can promote a hot method (or an on-stack-replaced loop) in the middle of a
/// measured stretch and charge a few hundred bytes to the measuring thread once. Code that allocates per batch
/// allocates in every stretch, so the smallest of several stretches is the honest steady-state figure and it stays
/// exact: a test can still demand 0 bytes.
/// </remarks>
public static class SteadyStateAllocation
{
    /// <summary>
    /// Runs <paramref name="stretch"/> up to <paramref name="stretches"/> times (with its index, 0 first), stopping at
    /// the first stretch that allocates nothing, and returns the fewest bytes any stretch allocated.
    /// </summary>
    /// <param name="stretches">The most stretches to measure; at least 1.</param>
    /// <param name="stretch">One measured stretch of warmed-up work, for example a replay of some batches.</param>
    public static long Minimum(int stretches, Action<int> stretch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stretches, 1);
        ArgumentNullException.ThrowIfNull(stretch);
        var fewest = long.MaxValue;
        for (var i = 0; i < stretches && fewest != 0; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            stretch(i);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
