using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmartCity.Streams.Batches;

namespace SmartCity.Streams.Mqtt;

/// <summary>Turns one MQTT message into readings, or a reason why not.</summary>
internal sealed class ReadingParser(MqttSourceOptions options)
{
    public readonly record struct Reading(long Sensor, long Time, double[] Values);

    public string? TryParse(string topic, ReadOnlySequence<byte> payload, List<Reading> into)
    {
        var segments = topic.Split('/');
        if ((options.TopicSegments is { } expected && segments.Length != expected) || options.KeySegment >= segments.Length
            || !long.TryParse(segments[options.KeySegment], NumberStyles.Integer, CultureInfo.InvariantCulture, out var sensor))
        {
            return $"unknown topic: '{topic}' has no integer sensor id in segment {options.KeySegment}";
        }

        if (payload.Length > options.MaxPayloadBytes)
        {
            return $"oversized: {payload.Length} bytes > {options.MaxPayloadBytes}";
        }

        var first = payload.IsEmpty ? (byte)0 : payload.FirstSpan[0];
        var start = into.Count;
        var error = first is (byte)'{' or (byte)'[' ? ParseJson(sensor, payload, into) : ParseCsv(sensor, payload, into);
        if (error is not null)
        {
            into.RemoveRange(start, into.Count - start);
        }

        return error;
    }

    private string? ParseJson(long sensor, ReadOnlySequence<byte> payload, List<Reading> into)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in root.EnumerateArray())
                {
                    if (ParseObject(sensor, item, into) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            }

            return ParseObject(sensor, root, into);
        }
        catch (JsonException e)
        {
            return "bad JSON: " + e.Message;
        }
    }

    private string? ParseObject(long sensor, JsonElement item, List<Reading> into)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return $"bad JSON: expected an object per reading, found {item.ValueKind}";
        }

        if (!item.TryGetProperty(options.TimeColumn, out var timeElement))
        {
            return $"bad JSON: no '{options.TimeColumn}' field";
        }

        long time;
        if (timeElement.ValueKind == JsonValueKind.Number && timeElement.TryGetInt64(out var micros))
        {
            time = micros;
        }
        else if (timeElement.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(timeElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = EventTime.FromDateTimeOffset(parsed);
        }
        else
        {
            return $"bad JSON: '{options.TimeColumn}' is neither microseconds nor an ISO 8601 time";
        }

        var values = new double[options.Measures.Count];
        for (var m = 0; m < values.Length; m++)
        {
            if (!item.TryGetProperty(options.Measures[m], out var value))
            {
                values[m] = double.NaN; // a missing measure is a gap, not an error
            }
            else if (value.ValueKind == JsonValueKind.Number)
            {
                values[m] = value.GetDouble();
            }
            else if (value.ValueKind == JsonValueKind.Null)
            {
                values[m] = double.NaN;
            }
            else
            {
                return $"bad JSON: '{options.Measures[m]}' is {value.ValueKind}, expected a number";
            }
        }

        into.Add(new Reading(sensor, time, values));
        return null;
    }

    private string? ParseCsv(long sensor, ReadOnlySequence<byte> payload, List<Reading> into)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return "bad CSV: not UTF-8 text";
        }

        var lineNumber = 0;
        var before = into.Count;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length != 1 + options.Measures.Count)
            {
                return $"bad CSV: line {lineNumber} has {fields.Length} fields, expected {1 + options.Measures.Count} ({options.TimeColumn},{string.Join(',', options.Measures)})";
            }

            long time;
            if (long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
            {
                time = micros;
            }
            else if (DateTimeOffset.TryParse(fields[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                time = EventTime.FromDateTimeOffset(parsed);
            }
            else
            {
                return $"bad CSV: line {lineNumber}: '{fields[0]}' is not a time";
            }

            var values = new double[options.Measures.Count];
            for (var m = 0; m < values.Length; m++)
            {
                if (!double.TryParse(fields[m + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out values[m]))
                {
                    return $"bad CSV: line {lineNumber}: '{fields[m + 1]}' is not a number";
                }
            }

            into.Add(new Reading(sensor, time, values));
        }

        return into.Count == before ? "bad CSV: no reading" : null;
    }
}
