using System.Globalization;

namespace ForecastEval;

/// <summary>Parses step lengths such as "5m", "30min", "1h", "90s", "1d" or "00:05:00".</summary>
internal static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        int split = 0;
        while (split < text.Length && (char.IsDigit(text[split]) || text[split] == '.'))
        {
            split++;
        }

        if (split > 0 && split < text.Length
            && double.TryParse(text.AsSpan(0, split), NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
        {
            string unit = text[split..].Trim().ToUpperInvariant();
            double seconds = unit switch
            {
                "MS" => 0.001,
                "S" or "SEC" or "SECOND" or "SECONDS" => 1,
                "M" or "MIN" or "MINUTE" or "MINUTES" => 60,
                "H" or "HOUR" or "HOURS" => 3600,
                "D" or "DAY" or "DAYS" => 86400,
                _ => double.NaN,
            };
            if (!double.IsNaN(seconds))
            {
                value = TimeSpan.FromSeconds(n * seconds);
                return value > TimeSpan.Zero;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero;
    }
}
