using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Operators.Anomaly;

/// <summary>
/// Spike saliency in the spirit of the spectral residual (Ren et al., KDD 2019): the saliency of a row is its
/// distance from the average of the few rows before it, and the surprise is that saliency relative to the usual
/// saliency. Sharp, short spikes stand out; slow drifts and seasonal swings do not.
/// </summary>
/// <remarks>O(1) per row: a fixed ring of the last <c>window</c> values per key with a running sum.
/// Warm-up: until the ring is full the local average is over the rows seen so far.</remarks>
public sealed class SpikeSaliencyDetector : CalibratedDetector
{
    /// <summary>Creates the detector.</summary>
    /// <param name="window">Number of preceding rows averaged as the local reference, 1..64. Default 8.</param>
    /// <param name="calibration">Calibration options; <see cref="CalibrationOptions.Default"/> when null.</param>
    public SpikeSaliencyDetector(int window = 8, CalibrationOptions? calibration = null)
        : base(new Kernel(window), calibration)
    {
    }

    private sealed class Kernel : ISurpriseKernel
    {
        private const double SaliencyAlpha = 0.02;
        private readonly int _window;
        private int[] _count = [];
        private double[] _sum = [];
        private double[] _avgSaliency = [];
        private double[] _ring = [];

        public Kernel(int window)
        {
            if (window < 1 || window > 64)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(window), "window must be in 1..64.");
            }

            _window = window;
        }

        public string Name => "saliency";

        public void Resize(int keyCount)
        {
            if (keyCount <= _count.Length)
            {
                return;
            }

            int cap = StateArrays.NextCapacity(_count.Length, keyCount);
            StateArrays.Grow(ref _count, cap, 0);
            StateArrays.Grow(ref _sum, cap, 0.0);
            StateArrays.Grow(ref _avgSaliency, cap, 0.0);
            StateArrays.Grow(ref _ring, cap * _window, 0.0);
        }

        public void Reset()
        {
            _count.AsSpan().Clear();
            _sum.AsSpan().Clear();
            _avgSaliency.AsSpan().Clear();
            _ring.AsSpan().Clear();
        }

        public void Surprise(ReadOnlySpan<int> keys, ReadOnlySpan<long> timesMicros, ReadOnlySpan<double> values, Span<double> surprise)
        {
            int w = _window;
            for (int i = 0; i < keys.Length; i++)
            {
                double x = values[i];
                if (!double.IsFinite(x))
                {
                    surprise[i] = double.NaN;
                    continue;
                }

                int k = keys[i];
                int n = _count[k];
                int filled = Math.Min(n, w);
                int slot = (k * w) + (n % w);
                if (filled == 0)
                {
                    surprise[i] = 0;
                }
                else
                {
                    double local = _sum[k] / filled;
                    double saliency = Math.Abs(x - local);
                    double avg = _avgSaliency[k];
                    surprise[i] = saliency / (avg + (1e-3 * Math.Abs(local)) + 1e-9);
                    _avgSaliency[k] = avg + (Math.Max(SaliencyAlpha, 1.0 / filled) * (saliency - avg));
                }

                // The running sum is recomputed from the ring when it wraps, so rounding errors cannot accumulate.
                double old = n >= w ? _ring[slot] : 0;
                _ring[slot] = x;
                if (n % w == w - 1)
                {
                    double s = 0;
                    for (int j = 0; j < w; j++)
                    {
                        s += _ring[(k * w) + j];
                    }

                    _sum[k] = s;
                }
                else
                {
                    _sum[k] = _sum[k] - old + x;
                }

                // Wraps at a multiple of the window so the ring position stays consistent.
                _count[k] = n >= int.MaxValue - w ? (n % w) + w + 1 : n + 1;
            }
        }

        public void Write(BinaryWriter writer, int keyCount)
        {
            StateArrays.Write(writer, _count, keyCount);
            StateArrays.Write(writer, _sum, keyCount);
            StateArrays.Write(writer, _avgSaliency, keyCount);
            StateArrays.Write(writer, _ring, keyCount * _window);
        }

        public void Read(BinaryReader reader, int keyCount)
        {
            StateArrays.Read(reader, _count, keyCount);
            StateArrays.Read(reader, _sum, keyCount);
            StateArrays.Read(reader, _avgSaliency, keyCount);
            StateArrays.Read(reader, _ring, keyCount * _window);
        }
    }
}
