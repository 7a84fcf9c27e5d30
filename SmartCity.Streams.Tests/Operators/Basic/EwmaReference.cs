using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Operators.Basic;

/// <summary>The EWMA written for clarity: a dictionary of per-sensor tuples, one row at a time.</summary>
internal static class EwmaReference
{
    public static List<(double Mean, double Std, double Z)> Run(IEnumerable<Reading> rows, double alpha, int warmUp)
    {
        var state = new Dictionary<int, (double Mean, double Var, int N)>();
        var result = new List<(double, double, double)>();
        foreach (var row in rows)
        {
            if (!double.IsFinite(row.Value))
            {
                result.Add((double.NaN, double.NaN, double.NaN));
                continue;
            }

            var (mean, variance, n) = state.GetValueOrDefault(row.Key);
            var std = Math.Sqrt(variance);
            var z = n < warmUp ? double.NaN : std > 0 ? (row.Value - mean) / std : 0;
            if (n == 0)
            {
                mean = row.Value;
            }
            else
            {
                var diff = row.Value - mean;
                mean += alpha * diff;
                variance = (1 - alpha) * (variance + (alpha * diff * diff));
            }

            state[row.Key] = (mean, variance, n + 1);
            result.Add((mean, Math.Sqrt(variance), z));
        }

        return result;
    }
}
