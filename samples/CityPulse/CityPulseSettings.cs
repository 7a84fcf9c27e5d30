namespace CityPulse;

/// <summary>Command-line settings of the sample.</summary>
internal sealed record CityPulseSettings(
    int Sensors,
    double Days,
    double HistoryDays,
    int IntervalSeconds,
    int Lanes,
    ulong Seed,
    FileInfo? Input,
    string KeyColumn,
    string TimeColumn,
    string ValueColumn,
    DirectoryInfo Output,
    double CongestionSpeed,
    double IncidentSustainMinutes);
