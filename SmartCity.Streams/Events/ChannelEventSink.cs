using System.Threading.Channels;

namespace SmartCity.Streams.Events;

/// <summary>
/// Writes events into a <see cref="Channel{T}"/> that the application reads with <see cref="Reader"/>. With a
/// bounded capacity a slow reader slows the pipeline down (backpressure) instead of growing memory.
/// </summary>
public sealed class ChannelEventSink : IEventSink
{
    private readonly Channel<CityEvent> _channel;

    /// <summary>Creates a sink; <paramref name="capacity"/> 0 means unbounded.</summary>
    public ChannelEventSink(int capacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _channel = capacity == 0
            ? Channel.CreateUnbounded<CityEvent>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true })
            : Channel.CreateBounded<CityEvent>(new BoundedChannelOptions(capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The events, completed when the pipeline ends (with its error, if any).</summary>
    public ChannelReader<CityEvent> Reader => _channel.Reader;

    /// <inheritdoc />
    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        foreach (var e in events)
        {
            if (!_channel.Writer.TryWrite(e))
            {
                // Rare path: the reader is behind; block the lane until there is room.
                _channel.Writer.WriteAsync(e).AsTask().GetAwaiter().GetResult();
            }
        }
    }

    /// <inheritdoc />
    public void OnCompleted(Exception? error) => _channel.Writer.TryComplete(error);
}
