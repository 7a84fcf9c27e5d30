using System.Globalization;

namespace ForecastEval;

/// <summary>
/// Readings in file order plus the step grid of actual values used only for scoring (the forecaster never sees the grid).
/// </summary>
internal sealed class Dataset
{
    public List<string> KeyNames { get; } = [];

    public List<int> Keys { get; } = [];

    public List<long> Times { get; } = [];

    public List<double> Values { get; } = [];

    /// <summary>Step index (time / step) of row 0.</summary>
    public long FirstStep { get; private set; }

    public int Rows { get; private set; }

    /// <summary>Mean actual value per [row * KeyCount + key]; NaN where a key had no reading.</summary>
    public double[] Actual { get; private set; } = [];

    public int KeyCount => KeyNames.Count;

    public static Dataset ReadWide(string path, long stepMicros, DateTime? start)
    {
        var data = new Dataset();
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty.");
        string[] names = header.Split(',');
        string? first = reader.ReadLine();
        if (first is null)
        {
            throw new InvalidDataException($"{path} has no data rows.");
        }

        string[] firstCells = first.Split(',');
        bool hasTime = IsTimeName(names[0]) || !double.TryParse(firstCells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        int offset = hasTime ? 1 : 0;
        for (int c = offset; c < names.Length; c++)
        {
            data.KeyNames.Add(names[c].Trim());
        }

        long startMicros = ToMicros(start ?? DateTime.UnixEpoch);
        int row = 0;
        for (string? line = first; line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] cells = line.Split(',');
            long t = hasTime ? ParseTime(cells[0]) : startMicros + (row * stepMicros);
            for (int c = offset; c < cells.Length && c - offset < data.KeyCount; c++)
            {
                if (double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                {
                    data.Keys.Add(c - offset);
                    data.Times.Add(t);
                    data.Values.Add(v);
                }
            }

            row++;
        }

        data.BuildGrid(stepMicros);
        return data;
    }

    public static Dataset ReadLong(string path, long stepMicros, string timeColumn, string? keyColumn, string valueColumn)
    {
        var data = new Dataset();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StreamReader(path);
        string[] names = (reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty.")).Split(',');
        int ti = Column(names, timeColumn, path);
        int vi = Column(names, valueColumn, path);
        int ki = keyColumn is null ? -1 : Column(names, keyColumn, path);
        if (ki < 0)
        {
            data.KeyNames.Add(valueColumn);
        }

        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] cells = line.Split(',');
            if (!double.TryParse(cells[vi], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                continue;
            }

            int key = 0;
            if (ki >= 0)
            {
                string name = cells[ki].Trim();
                if (!index.TryGetValue(name, out key))
                {
                    key = data.KeyNames.Count;
                    index.Add(name, key);
                    data.KeyNames.Add(name);
                }
            }

            data.Keys.Add(key);
            data.Times.Add(ParseTime(cells[ti]));
            data.Values.Add(v);
        }

        data.BuildGrid(stepMicros);
        return data;
    }

    public static long ToMicros(DateTime time) =>
        (time.ToUniversalTime() - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    public static long StepOf(long micros, long stepMicros) => (long)Math.Floor(micros / (double)stepMicros);

    private static bool IsTimeName(string name) =>
        name.Trim().ToUpperInvariant() is "TIMESTAMP" or "TIME" or "DATE" or "DATETIME" or "";

    private static long ParseTime(string text)
    {
        text = text.Trim().Trim('"');
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long unixSeconds))
        {
            return unixSeconds * 1_000_000;
        }

        DateTime t = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        return ToMicros(t);
    }

    private static int Column(string[] names, string name, string path)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new InvalidDataException($"{path} has no column '{name}'; columns: {string.Join(", ", names)}.");
    }

    private void BuildGrid(long stepMicros)
    {
        if (Times.Count == 0)
        {
            throw new InvalidDataException("No readings.");
        }

        long min = long.MaxValue;
        long max = long.MinValue;
        foreach (long t in Times)
        {
            min = Math.Min(min, StepOf(t, stepMicros));
            max = Math.Max(max, StepOf(t, stepMicros));
        }

        FirstStep = min;
        Rows = checked((int)(max - min + 1));
        var sum = new double[checked(Rows * KeyCount)];
        var count = new int[sum.Length];
        for (int i = 0; i < Times.Count; i++)
        {
            int cell = ((int)(StepOf(Times[i], stepMicros) - min) * KeyCount) + Keys[i];
            sum[cell] += Values[i];
            count[cell]++;
        }

        for (int i = 0; i < sum.Length; i++)
        {
            sum[i] = count[i] > 0 ? sum[i] / count[i] : double.NaN;
        }

        Actual = sum;
    }
}
