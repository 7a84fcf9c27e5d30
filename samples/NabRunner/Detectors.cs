using SmartCity.Streams.Operators.Anomaly;

namespace NabRunner;

/// <summary>The detector configurations the runner knows, by NAB result name. All use the library defaults:
/// nothing is tuned per file or per category.</summary>
public static class Detectors
{
    public static IReadOnlyList<string> Names { get; } = ["ensemble", "ensemble-normalised", "seasonal", "robust", "ewma", "cusum", "saliency", "range", "rolling-zscore"];

    public static AnomalyDetector Create(string name) => name switch
    {
        "ensemble" => new EnsembleDetector(),
        "ensemble-normalised" => new EnsembleDetector(EnsembleDetector.CreateDefaultMembers(new CalibrationOptions { EvidenceBlockRows = 250 }), name: "ensemble-normalised"),
        "seasonal" => new SeasonalBaselineDetector(),
        "robust" => new RobustZScoreDetector(),
        "ewma" => new EwmaZScoreDetector(),
        "cusum" => new LevelShiftDetector(),
        "saliency" => new SpikeSaliencyDetector(),
        "range" => new RangeNoveltyDetector(),
        "rolling-zscore" => new RollingZScoreBaseline(),
        _ => throw new ArgumentException($"Unknown detector '{name}'. Known: {string.Join(", ", Names)}."),
    };
}
