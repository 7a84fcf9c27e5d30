using System.Numerics;

namespace SmartCity.Streams.Batches;

/// <summary>
/// The rows a <see cref="RowSelection"/> keeps, as an index list or as a bit mask. A mask is expanded into
/// indices only when a column is first read through the selection, so a filter followed by a count never
/// pays for the expansion.
/// </summary>
internal sealed class SelectionRows
{
    private int[] _rows = new int[1024];
    private ulong[] _mask = new ulong[16];
    private bool _fromMask;
    private bool _expanded;

    public int Count { get; private set; }

    public Span<int> IndexBuffer(int length)
    {
        if (_rows.Length < length)
        {
            _rows = new int[Math.Max(length, _rows.Length * 2)];
        }

        return _rows;
    }

    public Span<ulong> MaskBuffer(int rows)
    {
        var words = (rows + 63) >> 6;
        if (_mask.Length < words)
        {
            _mask = new ulong[Math.Max(words, _mask.Length * 2)];
        }

        return _mask.AsSpan(0, words);
    }

    public void UseIndices(int count)
    {
        Count = count;
        _fromMask = false;
        _expanded = true;
    }

    public void UseMask(int count)
    {
        Count = count;
        _fromMask = true;
        _expanded = false;
    }

    public int[] Rows()
    {
        if (_fromMask && !_expanded)
        {
            Expand();
        }

        return _rows;
    }

    private void Expand()
    {
        var rows = IndexBuffer(Count);
        var n = 0;
        var words = _mask;
        for (var w = 0; n < Count; w++)
        {
            var bits = words[w];
            while (bits != 0)
            {
                rows[n++] = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
            }
        }

        _expanded = true;
    }
}
