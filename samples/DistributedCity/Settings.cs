using System.Globalization;

namespace DistributedCity;

/// <summary>"--name value" command-line options with defaults.</summary>
internal sealed class Settings(string[] args)
{
    public string Mode => args.Length > 0 ? args[0] : "help";

    public string Nats => Get("--nats", "nats://127.0.0.1:4222");

    public string Prefix => Get("--prefix", "city");

    public int Partitions => Int("--partitions", 4);

    public int Workers => Int("--workers", 2);

    public int Index => Int("--index", 0);

    public int Sensors => Int("--sensors", 2_000);

    public double Hours => double.Parse(Get("--hours", "24"), CultureInfo.InvariantCulture);

    public int BatchSize => Int("--batch-size", 10_000);

    public double IdleExitSeconds => double.Parse(Get("--idle-exit", "0"), CultureInfo.InvariantCulture);

    public string State => Get("--state", Path.Combine(Path.GetTempPath(), "distributed-city-state"));

    public int PrintEvents => Int("--print-events", 5);

    public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public string Get(string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
