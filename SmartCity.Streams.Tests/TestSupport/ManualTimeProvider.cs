namespace SmartCity.Streams.Tests.TestSupport;

/// <summary>A clock that moves only when a test advances it (Microsoft.Extensions.TimeProvider.Testing is not referenced).</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
