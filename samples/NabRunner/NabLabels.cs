using System.Text.Json;

namespace NabRunner;

/// <summary>NAB's <c>labels/combined_windows.json</c>: relative data path → list of [start, end] timestamps.</summary>
public static class NabLabels
{
    public static Dictionary<string, List<(long Start, long End)>> Read(string path)
    {
        Dictionary<string, List<List<string>>>? raw;
        try
        {
            raw = JsonSerializer.Deserialize<Dictionary<string, List<List<string>>>>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a NAB windows file ({{\"category/file.csv\": [[start, end], ...]}}): {e.Message}", e);
        }

        if (raw is null)
        {
            throw new InvalidDataException($"{path}: empty labels file.");
        }

        var result = new Dictionary<string, List<(long Start, long End)>>(StringComparer.Ordinal);
        foreach ((string file, List<List<string>> windows) in raw)
        {
            var list = new List<(long Start, long End)>();
            foreach (List<string> w in windows)
            {
                if (w.Count != 2 || !NabCsv.TryParseTime(w[0], out long start) || !NabCsv.TryParseTime(w[1], out long end) || end < start)
                {
                    throw new InvalidDataException($"{path}: window of '{file}' is not a [start, end] pair of timestamps: [{string.Join(", ", w)}].");
                }

                list.Add((start, end));
            }

            result[file.Replace('\\', '/')] = list;
        }

        return result;
    }
}
