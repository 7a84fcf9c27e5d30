using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// The forecaster's residual statistics update (smoothed squared and absolute error, low and high residual quantiles)
/// for four residuals at once, with exactly the scalar rule's operations per element: scoring across horizons of one
/// key and scoring across keys of a horizon-invariant model share it, so both stay bit-identical to the scalar tail.
/// </summary>
internal readonly struct ResidualVectorUpdate
{
    private readonly Vector256<double> _smoothing;
    private readonly Vector256<double> _rateScale;
    private readonly Vector256<double> _lowBelow;
    private readonly Vector256<double> _lowAbove;
    private readonly Vector256<double> _highBelow;
    private readonly Vector256<double> _highAbove;

    public ResidualVectorUpdate(double smoothing, double quantileRate, double tauLow, double tauHigh)
    {
        _smoothing = Vector256.Create(smoothing);
        _rateScale = Vector256.Create(quantileRate);
        _lowBelow = Vector256.Create(tauLow - 1);
        _lowAbove = Vector256.Create(tauLow);
        _highBelow = Vector256.Create(tauHigh - 1);
        _highAbove = Vector256.Create(tauHigh);
    }

    /// <summary>Folds residuals <paramref name="e"/> into the state at <paramref name="at"/>; lanes outside <paramref name="valid"/> keep their state, a first residual (NaN error level) initialises it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(Vector256<double> e, Vector256<double> valid, ref double mseRef, ref double absRef, ref double lowRef, ref double highRef, nuint at)
    {
        var ae = Vector256.Abs(e);
        var ee = e * e;
        var m0 = Vector256.LoadUnsafe(ref mseRef, at);
        var a0 = Vector256.LoadUnsafe(ref absRef, at);
        var l0 = Vector256.LoadUnsafe(ref lowRef, at);
        var h0 = Vector256.LoadUnsafe(ref highRef, at);
        var fresh = ~Vector256.Equals(m0, m0);

        var m1 = m0 + (_smoothing * (ee - m0));
        var a1 = a0 + (_smoothing * (ae - a0));

        // Stochastic-gradient quantile tracking: step size proportional to the error level keeps it unit-free.
        var rate = _rateScale * a1;
        var l1 = l0 + (rate * Vector256.ConditionalSelect(Vector256.LessThan(e, l0), _lowBelow, _lowAbove));
        var h1 = h0 + (rate * Vector256.ConditionalSelect(Vector256.LessThan(e, h0), _highBelow, _highAbove));

        m1 = Vector256.ConditionalSelect(fresh, ee, m1);
        a1 = Vector256.ConditionalSelect(fresh, ae, a1);
        l1 = Vector256.ConditionalSelect(fresh, Vector256.Min(e, Vector256<double>.Zero), l1);
        h1 = Vector256.ConditionalSelect(fresh, Vector256.Max(e, Vector256<double>.Zero), h1);

        Vector256.ConditionalSelect(valid, m1, m0).StoreUnsafe(ref mseRef, at);
        Vector256.ConditionalSelect(valid, a1, a0).StoreUnsafe(ref absRef, at);
        Vector256.ConditionalSelect(valid, l1, l0).StoreUnsafe(ref lowRef, at);
        Vector256.ConditionalSelect(valid, h1, h0).StoreUnsafe(ref highRef, at);
    }
}
