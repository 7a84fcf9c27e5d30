using System.Globalization;
using System.Text;
using SmartCity.Streams.Events;

namespace SmartCity.Streams.CrashWorker;

/// <summary>
/// An append-only text log of events ("id|event" lines), the durable downstream of the crash test. After each
/// checkpoint a "#checkpoint N" line marks the replay point. Each write is flushed to the operating system, so a
/// SIGKILL loses at most a torn last line, which <see cref="Open"/> cuts off.
/// </summary>
internal sealed class EventLogSink : IEventSink, IDisposable
{
    private readonly StreamWriter _writer;

    private EventLogSink(StreamWriter writer) => _writer = writer;

    /// <summary>Opens the log; returns the ids logged after the "#checkpoint <paramref name="checkpoint"/>" mark (all ids if absent).</summary>
    public static EventLogSink Open(string path, long? checkpoint, out List<ulong> replayWindow)
    {
        replayWindow = [];
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path);
            var end = text.LastIndexOf('\n') + 1;
            if (end < text.Length)
            {
                // Torn line from a kill: drop it (its event is after the last checkpoint, so it is replayed).
                using var trim = new FileStream(path, FileMode.Open);
                trim.SetLength(Encoding.UTF8.GetByteCount(text.AsSpan(0, end)));
                text = text[..end];
            }

            var mark = checkpoint is { } c ? "#checkpoint " + c.ToString(CultureInfo.InvariantCulture) : null;
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line == mark)
                {
                    replayWindow.Clear();
                }
                else if (!line.StartsWith('#'))
                {
                    replayWindow.Add(ulong.Parse(line.AsSpan(0, line.IndexOf('|')), CultureInfo.InvariantCulture));
                }
            }
        }

        var writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        return new EventLogSink(writer);
    }

    public void OnEvents(ReadOnlySpan<CityEvent> events)
    {
        foreach (var e in events)
        {
            _writer.Write(string.Create(CultureInfo.InvariantCulture, $"{e.Id}|{e}\n"));
        }

        _writer.Flush();
    }

    public void MarkCheckpoint(long sequence)
    {
        _writer.Write(string.Create(CultureInfo.InvariantCulture, $"#checkpoint {sequence}\n"));
        _writer.Flush();
    }

    public void OnCompleted(Exception? error) => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}
