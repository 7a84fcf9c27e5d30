using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Pipeline;

namespace SmartCity.Streams.Operators;

/// <summary>Where an operator instance sends what it produces: batches downstream, events to sinks, late rows aside.</summary>
public sealed class OperatorOutput
{
    private readonly LaneChain _chain;
    private readonly int _next;

    internal OperatorOutput(LaneChain chain, int stage)
    {
        _chain = chain;
        _next = stage + 1;
    }

    /// <summary>The lane's current watermark (microseconds; <see cref="EventTime.MinValue"/> before the first).</summary>
    public long Watermark => _chain.Watermark;

    /// <summary>Passes a batch to the next operator (or to the pipeline's batch sinks after the last one).</summary>
    public void Emit(StreamBatch batch) => _chain.Forward(_next, batch);

    /// <summary>Emits an event to the pipeline's event sinks.</summary>
    public void Emit(in CityEvent cityEvent) => _chain.Events.Add(cityEvent);

    /// <summary>Sends rows that arrived too late to be processed to the pipeline's late-data output (they are counted, never silently dropped).</summary>
    public void EmitLate(StreamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _chain.Late(batch);
    }
}
