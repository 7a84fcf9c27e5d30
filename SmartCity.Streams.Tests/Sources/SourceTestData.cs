using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using SmartCity.Streams.Pipeline;

namespace SmartCity.Streams.Tests.Sources;

/// <summary>Small Arrow batches and temp files for the source tests (never the shared data folder).</summary>
internal static class SourceTestData
{
    public static readonly long T0 = global::SmartCity.Streams.Batches.EventTime.FromDateTimeOffset(new DateTimeOffset(2024, 3, 4, 0, 0, 0, TimeSpan.Zero));

    public static RecordBatch Batch(int first, int rows, string speedName = "speed")
    {
        var keys = new Int64Array.Builder();
        var times = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC"));
        var speeds = new DoubleArray.Builder();
        for (var i = first; i < first + rows; i++)
        {
            keys.Append(i % 7);
            times.Append(global::SmartCity.Streams.Batches.EventTime.ToDateTimeOffset(T0 + (i * global::SmartCity.Streams.Batches.EventTime.MicrosPerSecond)));
            speeds.Append(i);
        }

        var schema = new Schema.Builder()
            .Field(f => f.Name("sensor").DataType(Int64Type.Default).Nullable(false))
            .Field(f => f.Name("time").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(false))
            .Field(f => f.Name(speedName).DataType(DoubleType.Default).Nullable(true))
            .Build();
        return new RecordBatch(schema, [keys.Build(), times.Build(), speeds.Build()], rows);
    }

    public static byte[] IpcStream(int batches, int rows, bool endMarker = true, string speedName = "speed")
    {
        using var ms = new MemoryStream();
        var first = Batch(0, rows, speedName);
        var writer = new ArrowStreamWriter(ms, first.Schema, leaveOpen: true);
        writer.WriteStart();
        for (var b = 0; b < batches; b++)
        {
            using var batch = b == 0 ? first : Batch(b * rows, rows, speedName);
            writer.WriteRecordBatch(batch);
        }

        if (endMarker)
        {
            writer.WriteEnd();
        }

        if (batches == 0)
        {
            first.Dispose();
        }

        writer.Dispose();
        return ms.ToArray();
    }

    public static byte[] IpcFile(int batches, int rows)
    {
        using var ms = new MemoryStream();
        var first = Batch(0, rows);
        using (var writer = new ArrowFileWriter(ms, first.Schema, leaveOpen: true))
        {
            writer.WriteStart();
            for (var b = 0; b < batches; b++)
            {
                using var batch = b == 0 ? first : Batch(b * rows, rows);
                writer.WriteRecordBatch(batch);
            }

            writer.WriteEnd();
        }

        if (batches == 0)
        {
            first.Dispose();
        }

        return ms.ToArray();
    }

    public static StreamPipeline SpeedPipeline() => StreamPipeline.Create("sensor", "time", "speed").Build();
}

/// <summary>A temporary directory deleted with the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
