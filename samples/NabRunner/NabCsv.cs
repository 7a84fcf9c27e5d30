using System.Globalization;

namespace NabRunner;

/// <summary>A data file in NAB layout (<c>timestamp,value</c>), kept with its original text for faithful output.</summary>
public sealed class NabCsv
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    ];

    public required string RelativePath { get; init; }

    public required string[] TimestampText { get; init; }

    public required string[] ValueText { get; init; }

    public required long[] TimesMicros { get; init; }

    public required double[] Values { get; init; }

    public int Rows => Values.Length;

    /// <summary>Microseconds since the Unix epoch; NAB timestamps carry no zone and are read as UTC.</summary>
    public static bool TryParseTime(string text, out long micros)
    {
        if (DateTime.TryParseExact(text.Trim(), Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime dt) ||
            DateTime.TryParse(text.Trim(), CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out dt))
        {
            micros = (dt.Ticks - DateTime.UnixEpoch.Ticks) / 10;
            return true;
        }

        micros = 0;
        return false;
    }

    /// <summary>Reads a file; throws <see cref="InvalidDataException"/> naming the file and line on bad input.</summary>
    public static NabCsv Read(string path, string relativePath)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"{path}: empty file, expected a 'timestamp,value' header.");
        }

        string[] header = lines[0].Split(',');
        if (header.Length < 2 || header[0].Trim().Trim('"') != "timestamp" || header[1].Trim().Trim('"') != "value")
        {
            throw new InvalidDataException($"{path}: header is '{lines[0]}', expected 'timestamp,value'.");
        }

        var ts = new List<string>(lines.Length);
        var vs = new List<string>(lines.Length);
        var times = new List<long>(lines.Length);
        var values = new List<double>(lines.Length);
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            int comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0)
            {
                throw new InvalidDataException($"{path}:{i + 1}: expected 'timestamp,value', found '{line}'.");
            }

            string t = line[..comma];
            string rest = line[(comma + 1)..];
            int next = rest.IndexOf(',', StringComparison.Ordinal);
            string v = next < 0 ? rest : rest[..next];
            if (!TryParseTime(t, out long micros))
            {
                throw new InvalidDataException($"{path}:{i + 1}: cannot read timestamp '{t}'.");
            }

            double value;
            string vt = v.Trim();
            if (vt.Length == 0 || vt.Equals("nan", StringComparison.OrdinalIgnoreCase) || vt.Equals("null", StringComparison.OrdinalIgnoreCase))
            {
                value = double.NaN;
            }
            else if (!double.TryParse(vt, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                throw new InvalidDataException($"{path}:{i + 1}: cannot read value '{v}'.");
            }

            ts.Add(t);
            vs.Add(v);
            times.Add(micros);
            values.Add(value);
        }

        return new NabCsv
        {
            RelativePath = relativePath,
            TimestampText = [.. ts],
            ValueText = [.. vs],
            TimesMicros = [.. times],
            Values = [.. values],
        };
    }
}
