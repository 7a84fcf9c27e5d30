using Apache.Arrow.Ipc;

namespace SmartCity.Streams.Events;

/// <summary>
/// Appends every event to an Arrow IPC stream (an event log; format in <see cref="ArrowIpcEventLog"/>), one record
/// batch per delivery. The log is closed with the end-of-stream marker when the pipeline completes. Read it
/// back with <see cref="ArrowIpcEventLog.ReadAllAsync(Stream, CancellationToken)"/>.
/// </summary>
public sealed class ArrowIpcEventSink : IEventSink, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly ArrowStreamWriter _writer;
    private bool _ended;

    /// <summary>Writes the log to <paramref name="stream"/>.</summary>
    public ArrowIpcEventSink(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _writer = new ArrowStreamWriter(stream, ArrowIpcEventLog.Schema, leaveOpen: true);
        _writer.WriteStart();
    }

    /// <summary>Creates (or overwrites) a log file.</summary>
    public static ArrowIpcEventSink Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ArrowIpcEventSink(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));
    }

    /// <summary>Events written so far.</summary>
    public long EventsWritten { get; private set; }

    /// <inheritdoc />
    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        if (events.IsEmpty || _ended)
        {
            return;
        }

        using var batch = ArrowIpcEventLog.ToRecordBatch(events);
        _writer.WriteRecordBatch(batch);
        _stream.Flush();
        EventsWritten += events.Length;
    }

    /// <inheritdoc />
    public void OnCompleted(Exception? error)
    {
        // The log stays valid even when the run failed: what was detected before the failure is kept.
        End();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        End();
        _writer.Dispose();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void End()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        _writer.WriteEnd();
        _stream.Flush();
    }
}
