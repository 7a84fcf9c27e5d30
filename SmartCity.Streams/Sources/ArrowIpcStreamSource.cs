using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Memory;

namespace SmartCity.Streams.Sources;

/// <summary>
/// Reads record batches from an Arrow IPC stream (the streaming format: schema message, batches, end marker)
/// one at a time, so memory stays bounded by one batch whatever the stream's length.
/// </summary>
/// <remarks>
/// A truncated or corrupt stream raises a <see cref="SourceFormatException"/> naming the stream and the index of
/// the batch that could not be read; the batches before it were delivered. A stream that stops between two
/// messages without the end-of-stream marker is reported as truncated unless
/// <c>requireEndMarker</c> is false (some producers never write the marker).
/// </remarks>
public sealed class ArrowIpcStreamSource : BatchSource
{
    private readonly EndTrackingStream _stream;
    private readonly ArrowStreamReader _reader;
    private readonly bool _requireEndMarker;
    private Schema? _schema;
    private long _index;
    private bool _ended;
    private SourceBatch _current;

    /// <summary>Reads an Arrow IPC stream.</summary>
    /// <param name="stream">The bytes; read forward only.</param>
    /// <param name="name">Name used in error messages (a file name, a URL).</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open when the source is disposed.</param>
    /// <param name="requireEndMarker">Treat an end of data without the end-of-stream marker as truncation.</param>
    /// <param name="allocator">Allocator for the batches' buffers; Arrow's default when null.</param>
    public ArrowIpcStreamSource(Stream stream, string? name = null, bool leaveOpen = false, bool requireEndMarker = true, MemoryAllocator? allocator = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Name = name ?? "Arrow IPC stream";
        _stream = new EndTrackingStream(stream, leaveOpen);
        _reader = new ArrowStreamReader(_stream, allocator, leaveOpen: true);
        _requireEndMarker = requireEndMarker;
    }

    /// <summary>Opens an Arrow IPC stream file (<c>.arrows</c>).</summary>
    public static ArrowIpcStreamSource Open(string path, bool requireEndMarker = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: false);
        return new ArrowIpcStreamSource(file, path, leaveOpen: false, requireEndMarker);
    }

    /// <summary>The file or stream name used in errors.</summary>
    public string Name { get; }

    /// <summary>Number of batches delivered so far.</summary>
    public long BatchesRead => _index;

    /// <summary>The stream's schema; reading it consumes the schema message (synchronously) if not read yet.</summary>
    /// <exception cref="SourceFormatException">The stream has no valid schema message (empty or corrupt).</exception>
    public override Schema? Schema => _schema ??= ReadSchema();

    /// <inheritdoc />
    public override SourceBatch Current => _current;

    /// <inheritdoc />
    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return false;
        }

        _ = Schema;
        RecordBatch? batch;
        try
        {
            batch = await _reader.ReadNextRecordBatchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _ended = true;
            throw new SourceFormatException(Name, _index, "the batch is truncated or corrupt: " + e.Message, e);
        }

        if (batch is null)
        {
            _ended = true;
            if (_requireEndMarker && _stream.HitEnd)
            {
                throw new SourceFormatException(Name, _index,
                    $"the stream ended after {_stream.BytesRead} bytes without the end-of-stream marker; it is probably truncated.", null);
            }

            return false;
        }

        _current = new SourceBatch(batch, 0, _index + 1);
        _index++;
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reader.Dispose();
            _stream.Dispose();
        }

        base.Dispose(disposing);
    }

    private Schema ReadSchema()
    {
        try
        {
            return _reader.Schema ?? throw new SourceFormatException(Name, 0, "the stream is empty: it has no schema message.", null);
        }
        catch (SourceFormatException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new SourceFormatException(Name, 0,
                _stream.BytesRead == 0 ? "the stream is empty: it has no schema message." : "the schema message is truncated or corrupt: " + e.Message, e);
        }
    }
}
