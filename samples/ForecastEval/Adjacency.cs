using System.Globalization;
using SmartCity.Streams.Operators.Forecasting;

namespace ForecastEval;

/// <summary>Reads a road graph: either a dense K x K matrix (no header, the data's sensor order) or an edge list "from,to[,weight]" naming sensors.</summary>
internal static class Adjacency
{
    public static RoadGraph Read(string path, IReadOnlyList<string> keyNames)
    {
        string[] lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        int k = keyNames.Count;
        if (lines.Length == k && lines[0].Split(',').Length == k)
        {
            var dense = new double[k * k];
            for (int i = 0; i < k; i++)
            {
                string[] cells = lines[i].Split(',');
                for (int j = 0; j < k; j++)
                {
                    dense[(i * k) + j] = double.Parse(cells[j], CultureInfo.InvariantCulture);
                }
            }

            return RoadGraph.FromDense(dense, k);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < k; i++)
        {
            index[keyNames[i]] = i;
        }

        var from = new List<int>();
        var to = new List<int>();
        var weight = new List<double>();
        foreach (string line in lines)
        {
            string[] cells = line.Split(',');
            if (cells.Length < 2 || !index.TryGetValue(cells[0].Trim(), out int a) || !index.TryGetValue(cells[1].Trim(), out int b))
            {
                continue;
            }

            double w = cells.Length > 2 && double.TryParse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : 1;
            from.Add(a);
            to.Add(b);
            weight.Add(w);
        }

        return RoadGraph.FromEdges(k, from.ToArray(), to.ToArray(), weight.ToArray());
    }
}
