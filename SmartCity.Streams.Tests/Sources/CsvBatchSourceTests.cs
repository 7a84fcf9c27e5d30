using System.Text;
using Apache.Arrow;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Sources;

namespace SmartCity.Streams.Tests.Sources;

public class CsvBatchSourceTests
{
    private static CsvBatchSource FromText(string text, CsvSourceOptions options, string name = "test.csv") =>
        new(new MemoryStream(Encoding.UTF8.GetBytes(text)), options, name);

    private static async Task<List<RecordBatch>> ReadAllAsync(BatchSource source)
    {
        var batches = new List<RecordBatch>();
        while (await source.MoveNextAsync())
        {
            // Copy out through IPC-free cloning: keep the batch (do not release) so its buffers stay valid.
            batches.Add(source.Current.Batch);
        }

        return batches;
    }

    [Fact]
    public async Task Reads_rows_in_batches_with_nulls_and_ignores_other_columns()
    {
        var csv = new StringBuilder("sensor,time,ignored,speed,flow\n");
        for (var i = 0; i < 25; i++)
        {
            csv.Append($"{i % 4},2024-03-04T08:{i:00}:00Z,x,{(i == 3 ? string.Empty : (i * 1.5).ToString(System.Globalization.CultureInfo.InvariantCulture))},{i}\n");
        }

        using var source = FromText(csv.ToString(), new CsvSourceOptions { MeasureColumns = ["speed", "flow"], BatchSize = 10 });
        var batches = await ReadAllAsync(source);
        Assert.Equal([10, 10, 5], batches.Select(b => b.Length));
        var first = batches[0];
        Assert.Equal(3L, ((Int64Array)first.Column(0)).GetValue(3));
        Assert.Equal(SourceTestData.T0 + (8 * EventTime.MicrosPerHour) + (3 * EventTime.MicrosPerMinute), ((TimestampArray)first.Column(1)).Values[3]);
        Assert.Null(((DoubleArray)first.Column(2)).GetValue(3));
        Assert.Equal(1, first.Column(2).NullCount);
        Assert.Equal(6.0, ((DoubleArray)first.Column(2)).GetValue(4));
        Assert.Equal(0, batches[1].Column(2).NullCount);
        Assert.Equal(24.0, ((DoubleArray)batches[2].Column(3)).GetValue(4));
    }

    [Fact]
    public async Task Quoted_fields_hold_delimiters_quotes_and_line_breaks()
    {
        const string csv = "name,time,speed\n\"A,1\",2024-03-04T00:00:00Z,1\n\"say \"\"hi\"\"\",2024-03-04T00:00:01Z,\"2.5\"\n\"multi\nline\",2024-03-04T00:00:02Z,3\nplain,2024-03-04T00:00:03Z,oops\n";
        using var source = FromText(csv, new CsvSourceOptions { KeyColumn = "name", KeyType = CsvKeyType.String, ErrorPolicy = CsvErrorPolicy.Skip });
        var batches = await ReadAllAsync(source);
        var keys = (StringArray)batches.Single().Column(0);
        Assert.Equal(["A,1", "say \"hi\"", "multi\nline"], Enumerable.Range(0, keys.Length).Select(i => keys.GetString(i)));
        Assert.Equal(2.5, ((DoubleArray)batches[0].Column(2)).GetValue(1));
        var rejection = Assert.Single(source.Rejections);
        Assert.Equal(6, rejection.Line); // the quoted line break makes the last record start on line 6
        Assert.Equal("speed", rejection.Column);
        Assert.Equal("oops", rejection.Text);
    }

    [Fact]
    public async Task Bad_row_under_fail_names_file_line_column_text_and_keeps_earlier_rows()
    {
        const string csv = "sensor,time,speed\n1,2024-03-04T00:00:00Z,10\n2,2024-03-04T00:00:01Z,11\n3,not-a-time,12\n4,2024-03-04T00:00:03Z,13\n";
        using var source = FromText(csv, new CsvSourceOptions(), "city.csv");
        Assert.True(await source.MoveNextAsync());
        Assert.Equal(2, source.Current.Batch.Length);
        var error = await Assert.ThrowsAsync<SourceFormatException>(async () => await source.MoveNextAsync());
        Assert.Equal(4, error.LineNumber);
        Assert.Equal("time", error.Column);
        Assert.Equal("not-a-time", error.Text);
        Assert.Contains("city.csv", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("ISO-8601", error.Message, StringComparison.Ordinal);
        Assert.False(await source.MoveNextAsync());
    }

    [Fact]
    public async Task Bad_rows_under_skip_are_counted_reported_and_do_not_leak_nulls()
    {
        var seen = new List<CsvRejection>();
        const string csv = "sensor,time,speed,flow\n1,2024-03-04T00:00:00Z,10,5\nx,2024-03-04T00:00:01Z,11,6\n3,2024-03-04T00:00:02Z,12\n4,2024-03-04T00:00:03Z,13,\n5,2024-03-04T00:00:04Z,14,7\n";
        using var source = FromText(csv, new CsvSourceOptions { MeasureColumns = ["speed", "flow"], ErrorPolicy = CsvErrorPolicy.Skip, MaxRejectionsKept = 1, OnRejected = seen.Add });
        var pipeline = Streams.Pipeline.StreamPipeline.Create("sensor", "time", "speed", "flow").Build();
        var stats = await pipeline.RunAsync(source);
        Assert.Equal(3, stats.RowsIn);
        Assert.Equal(2, source.RowsRejected);
        Assert.True(stats.RowsRejected >= 2);
        Assert.Single(source.Rejections);
        Assert.Equal([3L, 4L], seen.Select(r => r.Line));
        Assert.Contains("integer", seen[0].Reason, StringComparison.Ordinal);
        Assert.Contains("at least 4 fields", seen[1].Reason, StringComparison.Ordinal);

        // The rejected row "x" had a valid speed and flow: its validity bits must not leak into row 4's empty flow.
        using var again = FromText(csv, new CsvSourceOptions { MeasureColumns = ["speed", "flow"], ErrorPolicy = CsvErrorPolicy.Skip });
        var batch = (await ReadAllAsync(again)).Single();
        Assert.Null(((DoubleArray)batch.Column(3)).GetValue(1));
        Assert.Equal(1, batch.Column(3).NullCount);
    }

    [Theory]
    [InlineData(CsvTimeFormat.EpochSeconds, null, "1709510400")]
    [InlineData(CsvTimeFormat.EpochSeconds, null, "1709510400.000")]
    [InlineData(CsvTimeFormat.EpochMilliseconds, null, "1709510400000")]
    [InlineData(CsvTimeFormat.Custom, "dd/MM/yyyy HH:mm:ss", "04/03/2024 00:00:00")]
    [InlineData(CsvTimeFormat.Iso8601, null, "2024-03-04 01:00:00+01:00")]
    [InlineData(CsvTimeFormat.Iso8601, null, "2024-03-04T00:00:00")]
    public async Task Time_formats_parse_as_utc(CsvTimeFormat format, string? pattern, string text)
    {
        using var source = FromText($"sensor;time;speed\n7;{text};1\n", new CsvSourceOptions { Delimiter = ';', TimeFormat = format, TimeFormatString = pattern });
        var batch = (await ReadAllAsync(source)).Single();
        Assert.Equal(SourceTestData.T0, ((TimestampArray)batch.Column(1)).Values[0]);
    }

    [Fact]
    public async Task Dictionary_keys_without_header_and_tiny_buffer()
    {
        var csv = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            csv.Append($"\"s-{i % 5}\",{1709510400 + i},{i}\r\n");
        }

        using var source = FromText(csv.ToString(), new CsvSourceOptions
        {
            HasHeader = false,
            ColumnNames = ["sensor", "time", "speed"],
            KeyType = CsvKeyType.Dictionary,
            TimeFormat = CsvTimeFormat.EpochSeconds,
            BatchSize = 32,
            BufferSize = 16,
        });
        var batches = await ReadAllAsync(source);
        Assert.Equal(100, batches.Sum(b => b.Length));
        var keys = (DictionaryArray)batches[1].Column(0);
        var dictionary = (StringArray)keys.Dictionary;
        Assert.Equal(5, dictionary.Length);
        var indices = (Int32Array)keys.Indices;
        Assert.Equal("s-2", dictionary.GetString(indices.GetValue(0)!.Value)); // row 32

        var pipeline = Streams.Pipeline.StreamPipeline.Create("sensor", "time", "speed").Build();
        using var again = FromText(csv.ToString(), new CsvSourceOptions { HasHeader = false, ColumnNames = ["sensor", "time", "speed"], KeyType = CsvKeyType.Dictionary, TimeFormat = CsvTimeFormat.EpochSeconds, BatchSize = 32 });
        Assert.Equal(100, (await pipeline.RunAsync(again, lanes: 2)).RowsIn);
    }

    [Fact]
    public async Task Missing_header_column_names_the_column_and_the_header()
    {
        using var source = FromText("id,time,speed\n1,2024-03-04T00:00:00Z,1\n", new CsvSourceOptions(), "ids.csv");
        var error = await Assert.ThrowsAsync<SourceFormatException>(async () => await source.MoveNextAsync());
        Assert.Equal("sensor", error.Column);
        Assert.Contains("id, time, speed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_reading_an_unmapped_column_fails_fast_with_schema_mismatch()
    {
        using var dir = new TempDir();
        var path = dir.File("city.csv");
        await File.WriteAllTextAsync(path, "sensor,time,speed\n1,2024-03-04T00:00:00Z,1\n");
        using var source = CsvBatchSource.Open(path, new CsvSourceOptions());
        var pipeline = Streams.Pipeline.StreamPipeline.Create("sensor", "time", "occupancy").Build();
        var error = await Assert.ThrowsAsync<SchemaMismatchException>(() => pipeline.RunAsync(source));
        Assert.Equal("occupancy", error.Column);
        Assert.Contains("speed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_series_file_without_an_id_column_gets_the_constant_key()
    {
        // NAB's layout: timestamp,value and nothing else.
        using var source = FromText("timestamp,value\n2014-07-01 00:00:00,10844\n2014-07-01 00:30:00,8127\n",
            new CsvSourceOptions { KeyColumn = "sensor", ConstantKey = "nyc_taxi", KeyType = CsvKeyType.Dictionary, TimeColumn = "timestamp", MeasureColumns = ["value"] });
        var rows = new List<(string Sensor, long Time, double Value)>();
        var sink = new RowCapture(rows);
        var pipeline = Streams.Pipeline.StreamPipeline.Create("sensor", "timestamp", "value").SendBatchesTo(sink).Build();
        await pipeline.RunAsync(source);
        Assert.Equal(
            [("nyc_taxi", EventTime.FromDateTimeOffset(new DateTimeOffset(2014, 7, 1, 0, 0, 0, TimeSpan.Zero)), 10844.0),
             ("nyc_taxi", EventTime.FromDateTimeOffset(new DateTimeOffset(2014, 7, 1, 0, 30, 0, TimeSpan.Zero)), 8127.0)],
            rows);
    }

    private sealed class RowCapture(List<(string Sensor, long Time, double Value)> rows) : IBatchSink
    {
        public void OnBatch(StreamBatch batch)
        {
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add((batch.GetSensor(i).ToString(), batch.Times[i], batch.GetDoubles(0)[i]));
            }
        }

        public void OnCompleted(Exception? error)
        {
        }
    }

    [Fact]
    public async Task Empty_input_is_an_error_with_header_and_an_empty_run_without()
    {
        using var withHeader = FromText(string.Empty, new CsvSourceOptions(), "empty.csv");
        var error = await Assert.ThrowsAsync<SourceFormatException>(async () => await withHeader.MoveNextAsync());
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);

        using var headerOnly = FromText("sensor,time,speed\n", new CsvSourceOptions());
        Assert.False(await headerOnly.MoveNextAsync());
    }

    [Fact]
    public async Task Large_file_streams_in_bounded_batches()
    {
        using var dir = new TempDir();
        var path = dir.File("big.csv");
        await using (var writer = new StreamWriter(path))
        {
            await writer.WriteLineAsync("sensor,time,speed");
            for (var i = 0; i < 50_000; i++)
            {
                await writer.WriteLineAsync($"{i % 100},{1709510400000L + i},{i % 90}.5");
            }
        }

        using var source = CsvBatchSource.Open(path, new CsvSourceOptions { TimeFormat = CsvTimeFormat.EpochMilliseconds, BatchSize = 4_096 });
        var rows = 0L;
        var batches = 0;
        while (await source.MoveNextAsync())
        {
            Assert.True(source.Current.Batch.Length <= 4_096);
            rows += source.Current.Batch.Length;
            batches++;
            source.Release(source.Current);
        }

        Assert.Equal(50_000, rows);
        Assert.Equal(13, batches);
    }
}
