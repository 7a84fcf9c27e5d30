using System.Security.Cryptography;
using System.Text;

namespace SmartCity.Streams.State;

/// <summary>
/// The binary checkpoint format shared by every store: a versioned header, the body, and a SHA-256 of
/// everything before it.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic "SCCK" (int32), format version (int32), name (length-prefixed UTF-8),
/// sequence (int64), created-at UTC ticks (int64), batches (int64), partition count (int32) and one int64
/// position per partition, pipeline snapshot length (int32) and bytes, then 32 bytes of SHA-256.
/// </remarks>
public static class CheckpointFormat
{
    /// <summary>The format version this library writes.</summary>
    public const int Version = 1;

    private const int Magic = 0x4B434353; // "SCCK"
    private const int HashLength = 32;

    /// <summary>Encodes a checkpoint.</summary>
    public static byte[] Encode(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        using var buffer = new MemoryStream(checkpoint.PipelineState.Length + 256);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(checkpoint.Name);
            writer.Write(checkpoint.Sequence);
            writer.Write(checkpoint.CreatedAt.UtcTicks);
            writer.Write(checkpoint.Batches);
            writer.Write(checkpoint.Positions.Count);
            foreach (var position in checkpoint.Positions)
            {
                writer.Write(position);
            }

            writer.Write(checkpoint.PipelineState.Length);
            writer.Write(checkpoint.PipelineState.Span);
        }

        var length = (int)buffer.Length;
        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, length)));
        return buffer.ToArray();
    }

    /// <summary>Decodes and verifies a checkpoint.</summary>
    /// <param name="data">The encoded bytes.</param>
    /// <param name="origin">Where they came from, for error messages (a file path, a bucket key).</param>
    /// <exception cref="InvalidDataException">Not a checkpoint, wrong version, checksum mismatch or truncated.</exception>
    public static Checkpoint Decode(ReadOnlySpan<byte> data, string origin)
    {
        if (data.Length < 8 + HashLength || BitConverter.ToInt32(data) != Magic)
        {
            throw new InvalidDataException($"{origin} is not a SmartCity.Streams checkpoint (bad magic number or too short: {data.Length} bytes). Remove it to start from scratch, or restore a good copy.");
        }

        var version = BitConverter.ToInt32(data[4..]);
        if (version != Version)
        {
            throw new InvalidDataException($"{origin} has checkpoint format version {version}; this library reads version {Version}. Resume with the version that wrote it, or remove it to start from scratch.");
        }

        var body = data[..^HashLength];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(data[^HashLength..]))
        {
            throw new InvalidDataException($"{origin} is corrupt: its SHA-256 checksum does not match its content ({data.Length} bytes). Refusing to resume from it; remove it to start from scratch, or restore a good copy.");
        }

        using var stream = new MemoryStream(body.ToArray(), writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            reader.ReadInt64(); // magic + version
            var name = reader.ReadString();
            var sequence = reader.ReadInt64();
            var created = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var batches = reader.ReadInt64();
            var count = reader.ReadInt32();
            if (count < 0 || count > stream.Length / 8)
            {
                throw new InvalidDataException($"{origin} lists {count} partitions; it is corrupt.");
            }

            var positions = new long[count];
            for (var i = 0; i < count; i++)
            {
                positions[i] = reader.ReadInt64();
            }

            var length = reader.ReadInt32();
            if (length < 0 || length > stream.Length - stream.Position)
            {
                throw new InvalidDataException($"{origin} declares a pipeline snapshot of {length} bytes but has {stream.Length - stream.Position} left; it is corrupt.");
            }

            var state = reader.ReadBytes(length);
            return new Checkpoint(name, sequence, created, batches, positions, state);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{origin} is truncated.", e);
        }
    }
}
