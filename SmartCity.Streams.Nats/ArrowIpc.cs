using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace SmartCity.Streams.Nats;

/// <summary>One record batch per message, as a complete Arrow IPC stream (schema + batch), so every message is self-describing.</summary>
internal static class ArrowIpc
{
    public static byte[] Encode(RecordBatch batch)
    {
        using var buffer = new MemoryStream();
        using (var writer = new ArrowStreamWriter(buffer, batch.Schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }

        return buffer.ToArray();
    }

    /// <summary>Decodes one batch; throws on anything that is not a readable IPC stream with a batch.</summary>
    public static RecordBatch Decode(ReadOnlyMemory<byte> data)
    {
        using var reader = new ArrowStreamReader(data);
        return reader.ReadNextRecordBatch() ?? throw new InvalidDataException("the IPC stream holds no record batch");
    }
}
