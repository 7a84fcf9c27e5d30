using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Operators;

/// <summary>
/// The running, state-owning side of an operator on one lane. The engine calls it from a single thread:
/// no locking is needed inside.
/// </summary>
/// <remarks>
/// <para><b>Lifecycle</b> (sealed, driven by the engine): <see cref="OnBatch"/> for each batch,
/// <see cref="OnWatermark"/> each time the watermark advances (after the batch that advanced it),
/// <see cref="OnCompleted"/> once at the end of the stream. <see cref="WriteState"/> and
/// <see cref="ReadState"/> snapshot and restore the state between batches.</para>
/// <para><b>Ownership:</b> the input batch is borrowed for the call; emit it (or a view of it) to forward it,
/// copy what must outlive the call. Batches the instance emits must stay valid until the downstream call
/// returns, which it does before <see cref="OperatorOutput.Emit(StreamBatch)"/> returns.</para>
/// <para><b>Allocation:</b> steady-state batches should allocate nothing: size per-key arrays by growth
/// (outside the per-row loop) and reuse output buffers (<see cref="BatchBuffer"/>, <see cref="RowSelection"/>,
/// <see cref="BatchExtender"/>).</para>
/// </remarks>
public abstract class OperatorInstance
{
    /// <summary>Creates an instance.</summary>
    protected OperatorInstance(OperatorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
    }

    /// <summary>Where the instance runs.</summary>
    protected OperatorContext Context { get; }

    /// <summary>Version number written with the state; bump it when the state layout changes.</summary>
    protected virtual int StateVersion => 1;

    /// <summary>Processes one batch; emit results, forwarded batches and events to <paramref name="output"/>.</summary>
    protected abstract void OnBatch(StreamBatch batch, OperatorOutput output);

    /// <summary>The watermark advanced: no row older than <paramref name="watermark"/> is expected any more.</summary>
    protected virtual void OnWatermark(long watermark, OperatorOutput output)
    {
    }

    /// <summary>The stream ended: flush whatever is still open.</summary>
    protected virtual void OnCompleted(OperatorOutput output)
    {
    }

    /// <summary>Writes the instance's state (default: stateless).</summary>
    protected virtual void WriteState(BinaryWriter writer)
    {
    }

    /// <summary>Restores state written by <see cref="WriteState"/> into a fresh instance.</summary>
    protected virtual void ReadState(BinaryReader reader, int version)
    {
    }

    internal void InvokeBatch(StreamBatch batch, OperatorOutput output) => OnBatch(batch, output);

    internal void InvokeWatermark(long watermark, OperatorOutput output) => OnWatermark(watermark, output);

    internal void InvokeCompleted(OperatorOutput output) => OnCompleted(output);

    internal void Save(BinaryWriter writer)
    {
        writer.Write(Context.OperatorName);
        writer.Write(StateVersion);
        using var buffer = new MemoryStream();
        using (var inner = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            WriteState(inner);
        }

        writer.Write(buffer.Length);
        writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    internal void Load(BinaryReader reader)
    {
        var name = reader.ReadString();
        if (!string.Equals(name, Context.OperatorName, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The snapshot holds state of operator '{name}' where operator '{Context.OperatorName}' was expected; it was taken from a different pipeline.");
        }

        var version = reader.ReadInt32();
        var length = reader.ReadInt64();
        var bytes = reader.ReadBytes(checked((int)length));
        if (bytes.Length != length)
        {
            throw new InvalidDataException($"The snapshot of operator '{name}' is truncated ({bytes.Length} of {length} bytes).");
        }

        using var inner = new BinaryReader(new MemoryStream(bytes));
        ReadState(inner, version);
    }
}
