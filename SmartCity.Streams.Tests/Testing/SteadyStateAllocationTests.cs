using SmartCity.Streams.Testing;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Testing;

[Collection(AllocationMeasuringCollection.Name)]
public class SteadyStateAllocationTests
{
    private static object? _kept;

    [Fact]
    public void A_one_off_allocation_in_one_stretch_is_not_charged_to_the_steady_state()
    {
        var stretchesRun = 0;
        var fewest = SteadyStateAllocation.Minimum(5, stretch =>
        {
            stretchesRun++;
            if (stretch == 0)
            {
                _kept = new byte[1000];
            }
        });

        Assert.Equal(0, fewest);
        Assert.Equal(2, stretchesRun);
    }

    [Fact]
    public void An_allocation_in_every_stretch_is_reported_with_the_fewest_bytes()
    {
        var stretchesRun = 0;
        var fewest = SteadyStateAllocation.Minimum(3, stretch =>
        {
            stretchesRun++;
            _kept = new byte[1000 * (3 - stretch)];
        });

        Assert.InRange(fewest, 1000, 1100);
        Assert.Equal(3, stretchesRun);
        Assert.NotNull(_kept);
    }

    [Fact]
    public void Rejects_no_stretches() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SteadyStateAllocation.Minimum(0, _ => { }));
}
