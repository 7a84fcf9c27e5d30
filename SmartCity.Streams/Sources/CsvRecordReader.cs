using System.Buffers;

namespace SmartCity.Streams.Sources;

/// <summary>
/// Splits CSV text into records and fields (RFC 4180: quoted fields may hold delimiters, line breaks and doubled
/// quotes) from a reusable character buffer. Fields are spans into that buffer, so reading allocates nothing per
/// row; only quoted fields with doubled quotes are unescaped, into a scratch buffer.
/// </summary>
internal sealed class CsvRecordReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly SearchValues<char> _stops;
    private readonly char _delimiter;
    private char[] _buffer;
    private int _pos;
    private int _end;
    private bool _eof;
    private char[] _scratch = new char[256];
    private int _scratchLength;
    private int[] _starts = new int[16];
    private int[] _lengths = new int[16];
    private bool[] _escaped = new bool[16];
    private long _nextLine = 1;

    public CsvRecordReader(TextReader reader, char delimiter, int bufferSize)
    {
        _reader = reader;
        _delimiter = delimiter;
        _stops = SearchValues.Create([delimiter, '\r', '\n']);
        _buffer = new char[bufferSize];
    }

    public enum Result
    {
        Record,
        NeedMore,
        End,
    }

    /// <summary>Fields in the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>One-based line on which the current record starts.</summary>
    public long Line { get; private set; }

    /// <summary>A quoted field was followed by stray text before the next delimiter.</summary>
    public bool Malformed { get; private set; }

    /// <summary>The current record is one empty field (a blank line).</summary>
    public bool IsBlank => FieldCount == 1 && _lengths[0] == 0 && !_escaped[0];

    public ReadOnlySpan<char> Field(int index) =>
        _escaped[index] ? _scratch.AsSpan(_starts[index], _lengths[index]) : _buffer.AsSpan(_starts[index], _lengths[index]);

    /// <summary>Reads more characters; false at the end of the input.</summary>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return false;
        }

        if (_pos > 0)
        {
            _buffer.AsSpan(_pos, _end - _pos).CopyTo(_buffer);
            _end -= _pos;
            _pos = 0;
        }

        if (_end == _buffer.Length)
        {
            // One record is longer than the buffer: grow instead of failing.
            System.Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await _reader.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
        return true;
    }

    /// <summary>Parses the next record from the buffered text.</summary>
    public Result TryRead()
    {
        var buffer = _buffer;
        var p = _pos;
        if (p >= _end)
        {
            return _eof ? Result.End : Result.NeedMore;
        }

        var field = 0;
        var newlines = 0;
        _scratchLength = 0;
        Malformed = false;
        while (true)
        {
            if (field == _starts.Length)
            {
                System.Array.Resize(ref _starts, field * 2);
                System.Array.Resize(ref _lengths, field * 2);
                System.Array.Resize(ref _escaped, field * 2);
            }

            if (p < _end && buffer[p] == '"')
            {
                p++;
                var segment = p;
                var escaped = false;
                var scratchStart = _scratchLength;
                while (true)
                {
                    var idx = buffer.AsSpan(p, _end - p).IndexOf('"');
                    if (idx < 0)
                    {
                        if (!_eof)
                        {
                            return Result.NeedMore;
                        }

                        // Unterminated quote at the end of the input: take the rest as the field.
                        Malformed = true;
                        idx = _end - p;
                    }

                    newlines += buffer.AsSpan(p, idx).Count('\n');
                    var q = p + idx;
                    if (q + 1 >= _end && !_eof)
                    {
                        return Result.NeedMore; // cannot tell a closing quote from a doubled one yet
                    }

                    if (q + 1 < _end && buffer[q + 1] == '"')
                    {
                        AppendScratch(buffer.AsSpan(segment, q + 1 - segment));
                        p = q + 2;
                        segment = p;
                        escaped = true;
                        continue;
                    }

                    if (escaped)
                    {
                        AppendScratch(buffer.AsSpan(segment, q - segment));
                        SetField(field, scratchStart, _scratchLength - scratchStart, true);
                    }
                    else
                    {
                        SetField(field, segment, q - segment, false);
                    }

                    p = Math.Min(q + 1, _end);
                    break;
                }

                // Anything between the closing quote and the next delimiter is malformed; skip it.
                if (p < _end && buffer[p] != _delimiter && buffer[p] != '\r' && buffer[p] != '\n')
                {
                    Malformed = true;
                    var skip = buffer.AsSpan(p, _end - p).IndexOfAny(_stops);
                    if (skip < 0 && !_eof)
                    {
                        return Result.NeedMore;
                    }

                    p = skip < 0 ? _end : p + skip;
                }
            }
            else
            {
                var idx = buffer.AsSpan(p, _end - p).IndexOfAny(_stops);
                if (idx < 0)
                {
                    if (!_eof)
                    {
                        return Result.NeedMore;
                    }

                    idx = _end - p;
                }

                SetField(field, p, idx, false);
                p += idx;
            }

            field++;
            if (p >= _end)
            {
                if (!_eof)
                {
                    return Result.NeedMore;
                }

                break;
            }

            var c = buffer[p];
            if (c == _delimiter)
            {
                p++;
                continue;
            }

            if (c == '\r')
            {
                if (p + 1 >= _end && !_eof)
                {
                    return Result.NeedMore;
                }

                p++;
                if (p < _end && buffer[p] == '\n')
                {
                    p++;
                }

                break;
            }

            p++; // '\n'
            break;
        }

        FieldCount = field;
        Line = _nextLine;
        _nextLine += 1 + newlines;
        _pos = p;
        return Result.Record;
    }

    public void Dispose() => _reader.Dispose();

    private void SetField(int index, int start, int length, bool escaped)
    {
        _starts[index] = start;
        _lengths[index] = length;
        _escaped[index] = escaped;
    }

    private void AppendScratch(ReadOnlySpan<char> text)
    {
        if (_scratchLength + text.Length > _scratch.Length)
        {
            System.Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchLength + text.Length));
        }

        text.CopyTo(_scratch.AsSpan(_scratchLength));
        _scratchLength += text.Length;
    }
}
