using System.Runtime.Intrinsics;
using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Combines calibrated detectors: per row, the strongest evidence among the members (the smallest tail probability),
/// corrected for the number of members (Bonferroni), then the ensemble's own cooldown and score mapping.
/// </summary>
/// <remarks>Each member keeps its own state; the ensemble's snapshot contains all of them. Warm-up is that of the
/// slowest member. The members must not be used on their own while they belong to the ensemble.</remarks>
public sealed class EnsembleDetector : AnomalyDetector
{
    private readonly CalibratedDetector[] _members;
    private readonly ScoreShaper _shaper;
    private readonly double _correction;
    private readonly string _name;
    private double[] _scratch = [];

    /// <summary>Creates an ensemble.</summary>
    /// <param name="members">Member detectors; by default <see cref="CreateDefaultMembers"/>.</param>
    /// <param name="calibration">Options of the ensemble's cooldown (the members keep their own calibration).</param>
    /// <param name="name">Detector name (letters, digits and '-'). Default "ensemble".</param>
    public EnsembleDetector(IReadOnlyList<CalibratedDetector>? members = null, CalibrationOptions? calibration = null, string name = "ensemble")
    {
        members ??= CreateDefaultMembers();
        if (members.Count == 0)
        {
            ThrowHelper.Argument(nameof(members), "An ensemble needs at least one member.");
        }

        calibration ??= CalibrationOptions.Default;
        calibration.Validate();
        _members = new CalibratedDetector[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            _members[i] = members[i] ?? throw new ArgumentException("Members must not be null.", nameof(members));
        }

        _shaper = new ScoreShaper(calibration);
        _correction = Math.Log10(members.Count);
        _name = name;
    }

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    /// <remarks>Version 2: members of version 2 (recurrence counters).</remarks>
    protected override int StateVersion => 2;

    /// <summary>Members of the default ensemble: seasonal baseline, robust z-score and range novelty.</summary>
    /// <param name="calibration">Calibration options of every member; <see cref="CalibrationOptions.Default"/> when null.</param>
    /// <remarks>The EWMA, spike-saliency and level-shift (CUSUM) detectors are left out: on NAB they add more false
    /// alarms than detections (the seasonal baseline already reacts to the onset of a shift, and the robust z-score
    /// to spikes).</remarks>
    public static IReadOnlyList<CalibratedDetector> CreateDefaultMembers(CalibrationOptions? calibration = null) =>
    [
        new SeasonalBaselineDetector(calibration: calibration),
        new RobustZScoreDetector(calibration: calibration),
        new RangeNoveltyDetector(calibration: calibration),
    ];

    /// <inheritdoc />
    protected override void ScoreCore(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> scores)
    {
        int n = keys.Length;
        if (_scratch.Length < n)
        {
            _scratch = new double[StateArrays.NextCapacity(_scratch.Length, n)];
        }

        Span<double> tails = _scratch.AsSpan(0, n);
        scores.Clear();
        foreach (CalibratedDetector member in _members)
        {
            member.TailCore(keys, timesMicros, values, tails);
            MaxInto(scores, tails);
        }

        TailProbability.ToScores(scores, _correction);
        _shaper.Shape(keys, values, scores);
    }

    /// <summary>scores[i] = max(scores[i], tails[i]), four rows at a time (no NaN can occur: tails are finite).</summary>
    private static void MaxInto(Span<double> scores, ReadOnlySpan<double> tails)
    {
        int n = scores.Length;
        int i = 0;
        for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            Vector256.Max(Vector256.Create<double>(scores[i..]), Vector256.Create<double>(tails[i..])).CopyTo(scores[i..]);
        }

        for (; i < n; i++)
        {
            scores[i] = Math.Max(scores[i], tails[i]);
        }
    }

    /// <inheritdoc />
    protected override void Resize(int keyCount)
    {
        foreach (CalibratedDetector member in _members)
        {
            member.EnsureKeys(keyCount);
        }

        _shaper.Resize(keyCount);
    }

    /// <inheritdoc />
    protected override void ResetState()
    {
        _shaper.Reset();
    }

    /// <inheritdoc />
    protected override void WriteState(BinaryWriter writer, int keyCount)
    {
        foreach (CalibratedDetector member in _members)
        {
            member.Snapshot(writer);
        }

        _shaper.Write(writer, keyCount);
    }

    /// <inheritdoc />
    protected override void ReadState(BinaryReader reader, int keyCount)
    {
        foreach (CalibratedDetector member in _members)
        {
            member.Restore(reader);
        }

        _shaper.Read(reader, keyCount);
    }
}
