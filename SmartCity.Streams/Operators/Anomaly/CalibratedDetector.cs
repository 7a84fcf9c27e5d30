namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// A detector made of a per-key model that measures the surprise of each row, followed by the online
/// anomaly likelihood (<see cref="CalibrationOptions"/>) that turns the surprise into a probability and a score.
/// </summary>
/// <remarks>
/// Warm-up: a new key scores 0 for its first <see cref="CalibrationOptions.WarmUpRows"/> rows (plus the model's own
/// warm-up, if any); afterwards a score of 0.5 means the recent surprise has a tail probability of about 1e-5 under
/// the key's own history. Scores never reach exactly 1.0.
/// </remarks>
public abstract class CalibratedDetector : AnomalyDetector
{
    private readonly ISurpriseKernel _kernel;
    private readonly AnomalyLikelihood _likelihood;
    private readonly ScoreShaper _shaper;
    private readonly EvidenceNormaliser? _normaliser;

    private protected CalibratedDetector(ISurpriseKernel kernel, CalibrationOptions? calibration)
    {
        calibration ??= CalibrationOptions.Default;
        calibration.Validate();
        _kernel = kernel;
        _likelihood = new AnomalyLikelihood(calibration);
        _shaper = new ScoreShaper(calibration);
        _normaliser = calibration.EvidenceBlockRows > 0 ? new EvidenceNormaliser(calibration.EvidenceBlockRows) : null;
    }

    /// <inheritdoc />
    public override string Name => _kernel.Name;

    /// <inheritdoc />
    /// <remarks>Version 2 adds the recurrence counters of the likelihood.</remarks>
    protected sealed override int StateVersion => 2;

    /// <summary>Writes -log10 tail probabilities (not scores) for rows of keys that already have state.</summary>
    internal void TailCore(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> tails)
    {
        Calibrate(keys, timesMicros, values, tails, toScores: false);
    }

    /// <inheritdoc />
    protected sealed override void ScoreCore(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> scores)
    {
        Calibrate(keys, timesMicros, values, scores, toScores: true);
        _shaper.Shape(keys, values, scores);
    }

    private void Calibrate(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> output, bool toScores)
    {
        bool split = _kernel.SplitsSurprise;
        if (split)
        {
            Span<double> spread = _likelihood.SpreadScratch(keys.Length);
            _kernel.SurpriseParts(keys, timesMicros, values, output, spread, _likelihood.LevelScratch(keys.Length));
        }
        else
        {
            _kernel.Surprise(keys, timesMicros, values, output);
        }

        EvidenceNormaliser? normaliser = _normaliser;
        _likelihood.Calibrate(keys, output, split, split && _kernel.SpreadFromVariance, toScores && normaliser is null);
        if (normaliser is not null)
        {
            Span<double> evidence = output[..keys.Length];
            normaliser.Apply(keys, values, evidence);
            if (toScores)
            {
                TailProbability.ToScores(evidence, 0);
            }
        }
    }

    /// <inheritdoc />
    protected sealed override void Resize(int keyCount)
    {
        _kernel.Resize(keyCount);
        _likelihood.Resize(keyCount);
        _shaper.Resize(keyCount);
        _normaliser?.Resize(keyCount);
    }

    /// <inheritdoc />
    protected sealed override void ResetState()
    {
        _kernel.Reset();
        _likelihood.Reset();
        _shaper.Reset();
        _normaliser?.Reset();
    }

    /// <inheritdoc />
    protected sealed override void WriteState(BinaryWriter writer, int keyCount)
    {
        _kernel.Write(writer, keyCount);
        _likelihood.Write(writer, keyCount);
        _shaper.Write(writer, keyCount);
        _normaliser?.Write(writer, keyCount);
    }

    /// <inheritdoc />
    protected sealed override void ReadState(BinaryReader reader, int keyCount)
    {
        _kernel.Read(reader, keyCount);
        _likelihood.Read(reader, keyCount);
        _shaper.Read(reader, keyCount);
        _normaliser?.Read(reader, keyCount);
    }
}
