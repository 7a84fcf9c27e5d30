using System.Runtime.InteropServices;
using System.Threading.Channels;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace SmartCity.Streams.Sources;

/// <summary>
/// Writes single readings into a <see cref="PushBatchSource"/>, gathering them into Arrow batches of up to
/// <see cref="PushReadingOptions.MaxBatchRows"/> rows, sent when full or when the oldest reading has waited
/// <see cref="PushReadingOptions.MaxDelay"/>. Writing waits while the source's channel is full (backpressure).
/// Safe to call from several threads. <see cref="CompleteAsync"/> flushes and ends the stream.
/// </summary>
public sealed class PushReadingWriter : IAsyncDisposable
{
    private readonly ChannelWriter<RecordBatch> _channel;
    private readonly PushReadingOptions _options;
    private readonly TimestampType _timeType = new(TimeUnit.Microsecond, "UTC");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long[] _keys;
    private readonly long[] _times;
    private readonly double[][] _values;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _timer;
    private int _count;
    private long _oldest;
    private bool _completed;

    internal PushReadingWriter(ChannelWriter<RecordBatch> channel, PushReadingOptions options, Schema schema)
    {
        _channel = channel;
        _options = options;
        Schema = schema;
        _keys = new long[options.MaxBatchRows];
        _times = new long[options.MaxBatchRows];
        _values = new double[options.MeasureColumns.Count][];
        for (var m = 0; m < _values.Length; m++)
        {
            _values[m] = new double[options.MaxBatchRows];
        }

        _timer = FlushLateAsync(_stop.Token);
    }

    /// <summary>The schema of the batches this writer produces.</summary>
    public Schema Schema { get; }

    /// <summary>Writes a reading with one measure.</summary>
    public ValueTask WriteAsync(long sensor, long timeMicros, double value) =>
        WriteCoreAsync(sensor, timeMicros, new ValueBox(value, 0, 1), null, CancellationToken.None);

    /// <summary>Writes a reading with two measures.</summary>
    public ValueTask WriteAsync(long sensor, long timeMicros, double first, double second) =>
        WriteCoreAsync(sensor, timeMicros, new ValueBox(first, second, 2), null, CancellationToken.None);

    /// <summary>Writes a reading with any number of measures (in the order of <see cref="PushReadingOptions.MeasureColumns"/>).</summary>
    public ValueTask WriteAsync(long sensor, long timeMicros, ReadOnlyMemory<double> values, CancellationToken cancellationToken) =>
        WriteCoreAsync(sensor, timeMicros, default, values, cancellationToken);

    /// <summary>Sends what is buffered now.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Flushes the buffered readings and ends the source's stream.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                return;
            }

            await SendAsync(cancellationToken).ConfigureAwait(false);
            _completed = true;
            _channel.TryComplete();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await CompleteAsync().ConfigureAwait(false);
        try
        {
            await _timer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _gate.Dispose();
    }

    private async ValueTask WriteCoreAsync(long sensor, long time, ValueBox box, ReadOnlyMemory<double>? values, CancellationToken cancellationToken)
    {
        var width = _values.Length;
        if ((values?.Length ?? box.Count) != width)
        {
            throw new ArgumentException($"Expected {width} measure value(s) ({string.Join(", ", _options.MeasureColumns)}), got {values?.Length ?? box.Count}.", nameof(values));
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            var row = _count;
            if (row == 0)
            {
                _oldest = Environment.TickCount64;
            }

            _keys[row] = sensor;
            _times[row] = time;
            if (values is { } memory)
            {
                var span = memory.Span;
                for (var m = 0; m < width; m++)
                {
                    _values[m][row] = span[m];
                }
            }
            else
            {
                if (width > 0)
                {
                    _values[0][row] = box.First;
                }

                if (width > 1)
                {
                    _values[1][row] = box.Second;
                }
            }

            _count = row + 1;
            if (_count == _keys.Length)
            {
                await SendAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var rows = _count;
        if (rows == 0)
        {
            return;
        }

        var arrays = new IArrowArray[2 + _values.Length];
        arrays[0] = new Int64Array(Copy(_keys, rows), ArrowBuffer.Empty, rows, 0, 0);
        arrays[1] = new TimestampArray(_timeType, Copy(_times, rows), ArrowBuffer.Empty, rows, 0, 0);
        for (var m = 0; m < _values.Length; m++)
        {
            arrays[2 + m] = new DoubleArray(Copy(_values[m], rows), ArrowBuffer.Empty, rows, 0, 0);
        }

        _count = 0;
        await _channel.WriteAsync(new RecordBatch(Schema, arrays, rows), cancellationToken).ConfigureAwait(false);
    }

    private static ArrowBuffer Copy<T>(T[] values, int rows)
        where T : struct => new(MemoryMarshal.AsBytes(values.AsSpan(0, rows)).ToArray());

    private async Task FlushLateAsync(CancellationToken cancellationToken)
    {
        var delay = _options.MaxDelay;
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, delay.Ticks / 4));
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_count > 0 && !_completed && Environment.TickCount64 - _oldest >= (long)delay.TotalMilliseconds)
                {
                    await SendAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private readonly record struct ValueBox(double First, double Second, int Count);
}
