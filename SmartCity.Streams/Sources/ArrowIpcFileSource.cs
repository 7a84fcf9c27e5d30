using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Memory;

namespace SmartCity.Streams.Sources;

/// <summary>
/// Reads record batches from an Arrow IPC file (the random-access format with a footer). The schema is known
/// before the first batch, so a pipeline fails fast on a missing column. <see cref="SourceBatch.Position"/>
/// is the number of batches read so far, which is also the index to resume from (<c>startBatch</c>).
/// </summary>
/// <remarks>
/// A file whose footer is missing (a writer that crashed, a copy cut short) is read sequentially instead, so
/// every intact batch is still delivered before the <see cref="SourceFormatException"/> that reports the damage.
/// </remarks>
public sealed class ArrowIpcFileSource : BatchSource
{
    // The stream format starts after the 6-byte magic and 2 bytes of padding.
    private const int StreamOffset = 8;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly MemoryAllocator? _allocator;
    private ArrowFileReader? _file;
    private ArrowStreamReader? _fallback;
    private Exception? _footerError;
    private Schema? _schema;
    private int _count = -1;
    private long _index;
    private bool _ended;
    private SourceBatch _current;

    /// <summary>Reads an Arrow IPC file from a seekable stream.</summary>
    /// <param name="stream">A readable, seekable stream.</param>
    /// <param name="name">Name used in error messages.</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open when the source is disposed.</param>
    /// <param name="startBatch">Index of the first batch to deliver (to resume from a checkpointed position).</param>
    /// <param name="allocator">Allocator for the batches' buffers; Arrow's default when null.</param>
    /// <exception cref="SourceFormatException">The file is empty or not an Arrow file.</exception>
    public ArrowIpcFileSource(Stream stream, string? name = null, bool leaveOpen = false, long startBatch = 0, MemoryAllocator? allocator = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("An Arrow IPC file needs a seekable stream; use ArrowIpcStreamSource for the streaming format.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        _allocator = allocator;
        Name = name ?? "Arrow IPC file";
        _index = startBatch;
        Open();
    }

    /// <summary>Opens an Arrow IPC file (<c>.arrow</c>).</summary>
    public static ArrowIpcFileSource Open(string path, long startBatch = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: false);
        try
        {
            return new ArrowIpcFileSource(file, path, leaveOpen: false, startBatch);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The file name used in errors.</summary>
    public string Name { get; }

    /// <summary>Number of record batches in the file, or -1 when the footer is damaged and the count is unknown.</summary>
    public int BatchCount => _count;

    /// <inheritdoc />
    public override Schema? Schema => _schema;

    /// <inheritdoc />
    public override SourceBatch Current => _current;

    /// <inheritdoc />
    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return false;
        }

        return _file is not null ? await NextFromFooterAsync(cancellationToken).ConfigureAwait(false) : await NextSequentialAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file?.Dispose();
            _fallback?.Dispose();
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void Open()
    {
        if (_stream.Length == 0)
        {
            throw new SourceFormatException(Name, 0, "the file is empty: it has no Arrow schema.", null);
        }

        try
        {
            var file = new ArrowFileReader(_stream, _allocator, leaveOpen: true);
            _count = file.RecordBatchCountAsync().AsTask().GetAwaiter().GetResult();
            _schema = file.Schema;
            _file = file;
            return;
        }
        catch (Exception e)
        {
            _footerError = e;
        }

        // No usable footer: read the embedded stream from the start so the intact batches are not lost.
        try
        {
            _stream.Position = StreamOffset;
            _fallback = new ArrowStreamReader(_stream, _allocator, leaveOpen: true);
            _schema = _fallback.Schema ?? throw new InvalidDataException("no schema message");
        }
        catch (Exception e)
        {
            throw new SourceFormatException(Name, 0, $"not a readable Arrow IPC file (footer: {_footerError.Message}; schema: {e.Message}).", e);
        }

        for (long skip = 0; skip < _index; skip++)
        {
            using var skipped = _fallback.ReadNextRecordBatch();
        }
    }

    private async ValueTask<bool> NextFromFooterAsync(CancellationToken cancellationToken)
    {
        if (_index >= _count)
        {
            _ended = true;
            return false;
        }

        RecordBatch batch;
        try
        {
            batch = await _file!.ReadRecordBatchAsync((int)_index, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _ended = true;
            throw new SourceFormatException(Name, _index, "the batch is truncated or corrupt: " + e.Message, e);
        }

        _current = new SourceBatch(batch, 0, _index + 1);
        _index++;
        return true;
    }

    private async ValueTask<bool> NextSequentialAsync(CancellationToken cancellationToken)
    {
        RecordBatch? batch;
        try
        {
            batch = await _fallback!.ReadNextRecordBatchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _ended = true;
            throw new SourceFormatException(Name, _index, $"the file is truncated or corrupt (footer: {_footerError!.Message}); this batch could not be read: {e.Message}", e);
        }

        if (batch is null)
        {
            _ended = true;
            throw new SourceFormatException(Name, _index,
                $"the file's footer is missing or corrupt ({_footerError!.Message}); the {_index} intact batches before it were delivered.", _footerError);
        }

        _current = new SourceBatch(batch, 0, _index + 1);
        _index++;
        return true;
    }
}
