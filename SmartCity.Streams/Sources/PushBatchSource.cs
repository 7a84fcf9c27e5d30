using System.Threading.Channels;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace SmartCity.Streams.Sources;

/// <summary>
/// A source the application pushes into: record batches through the bounded <see cref="Writer"/> (writing waits
/// while the pipeline is behind: backpressure), or single readings through a <see cref="PushReadingWriter"/>
/// that micro-batches them. Completing the writer ends the stream and lets the run finish.
/// </summary>
/// <remarks>The source takes ownership of the batches written to it: the pipeline disposes them when done.</remarks>
public sealed class PushBatchSource : BatchSource
{
    private readonly Channel<RecordBatch> _channel;
    private Schema? _schema;
    private PushReadingWriter? _readings;
    private long _position;
    private SourceBatch _current;

    /// <summary>Creates the source.</summary>
    /// <param name="capacity">Batches buffered before writers wait.</param>
    /// <param name="schema">The schema the batches will have, if known (lets a pipeline fail fast).</param>
    public PushBatchSource(int capacity = 16, Schema? schema = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _schema = schema;
        _channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Where the application writes record batches; <see cref="ChannelWriter{T}.Complete"/> ends the stream.</summary>
    public ChannelWriter<RecordBatch> Writer => _channel.Writer;

    /// <inheritdoc />
    public override Schema? Schema => _schema;

    /// <inheritdoc />
    public override SourceBatch Current => _current;

    /// <summary>Creates the (single) writer of individual readings; its schema becomes the source's schema.</summary>
    public PushReadingWriter CreateReadingWriter(PushReadingOptions? options = null)
    {
        options ??= new PushReadingOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxDelay, TimeSpan.Zero);
        if (_readings is not null)
        {
            throw new InvalidOperationException("This source already has a reading writer; share it between producers (it is thread-safe).");
        }

        var builder = new Schema.Builder()
            .Field(f => f.Name(options.KeyColumn).DataType(Int64Type.Default).Nullable(false))
            .Field(f => f.Name(options.TimeColumn).DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(false));
        foreach (var m in options.MeasureColumns)
        {
            builder.Field(f => f.Name(m).DataType(DoubleType.Default).Nullable(false));
        }

        _schema = builder.Build();
        _readings = new PushReadingWriter(_channel.Writer, options, _schema);
        return _readings;
    }

    /// <inheritdoc />
    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        var reader = _channel.Reader;
        while (true)
        {
            if (reader.TryRead(out var batch))
            {
                _position++;
                _current = new SourceBatch(batch, 0, _position);
                return true;
            }

            if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _channel.Writer.TryComplete();
            while (_channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
