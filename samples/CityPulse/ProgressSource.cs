using System.Diagnostics;
using Apache.Arrow;
using SmartCity.Streams.Sources;

namespace CityPulse;

/// <summary>Wraps a source and prints progress with rows/s about once a second (plain lines, safe when redirected).</summary>
internal sealed class ProgressSource(BatchSource inner, long? totalRows, TextWriter log) : BatchSource
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _nextReport = 1_000;
    private long _rows;

    public long Rows => _rows;

    public TimeSpan Elapsed => _clock.Elapsed;

    public override int PartitionCount => inner.PartitionCount;

    public override bool PartitionsByKey => inner.PartitionsByKey;

    public override Schema? Schema => inner.Schema;

    public override long RowsRejected => inner.RowsRejected;

    public override SourceBatch Current => inner.Current;

    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (!await inner.MoveNextAsync(cancellationToken))
        {
            return false;
        }

        _rows += inner.Current.Batch.Length;
        if (_clock.ElapsedMilliseconds >= _nextReport)
        {
            _nextReport = _clock.ElapsedMilliseconds + 1_000;
            Report();
        }

        return true;
    }

    public override void Release(in SourceBatch batch) => inner.Release(batch);

    public void Report()
    {
        var rate = _rows / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
        var share = totalRows is > 0 ? $"{100.0 * _rows / totalRows.Value,5:0.0}% " : string.Empty;
        log.WriteLine($"progress: {share}{_rows,13:N0} rows  {rate / 1e6,7:0.00} M rows/s  {_clock.Elapsed:mm\\:ss}");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
