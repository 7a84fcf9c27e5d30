namespace ForecastEval;

/// <summary>Error sums of one model at one horizon step.</summary>
internal sealed class Metrics
{
    public double SumSquared;
    public double SumAbs;
    public double SumAbsActual;
    public double SumSquaredActual;
    public long Count;
    public long Covered;

    public void Add(double actual, double forecast, double lower, double upper)
    {
        if (actual >= lower && actual <= upper)
        {
            Covered++;
        }

        double e = actual - forecast;
        SumSquared += e * e;
        SumAbs += Math.Abs(e);
        SumAbsActual += Math.Abs(actual);
        SumSquaredActual += actual * actual;
        Count++;
    }

    public void Add(Metrics other)
    {
        SumSquared += other.SumSquared;
        SumAbs += other.SumAbs;
        SumAbsActual += other.SumAbsActual;
        SumSquaredActual += other.SumSquaredActual;
        Count += other.Count;
        Covered += other.Covered;
    }

    /// <summary>Share of actual values inside the prediction interval.</summary>
    public double Coverage => Covered / (double)Count;

    public double Rmse => Math.Sqrt(SumSquared / Count);

    public double Mae => SumAbs / Count;

    /// <summary>sum|y - yhat| / sum|y| (Cui et al.), robust to zeros unlike the mean of ratios.</summary>
    public double Mape => SumAbs / SumAbsActual;

    /// <summary>1 - ||Y - Yhat||_F / ||Y||_F (T-GCN).</summary>
    public double Accuracy => 1 - Math.Sqrt(SumSquared / SumSquaredActual);

    public double Nrmse(double std) => Rmse / std;
}
