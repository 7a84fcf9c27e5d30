using System.Globalization;
using System.Text.Json;
using SmartCity.Streams.Operators.Forecasting;

namespace ForecastEval;

/// <summary>Replays the readings in file order, closes each step when the next one starts, and scores the forecasts.</summary>
internal sealed class Evaluation
{
    private readonly Dataset _data;
    private readonly OnlineForecaster _forecaster;
    private readonly int _evalFrom;
    private readonly Metrics[][] _metrics;
    private readonly double _std;

    public Evaluation(Dataset data, ForecasterOptions options, int evalFrom)
    {
        _data = data;
        _forecaster = new OnlineForecaster(options);
        _evalFrom = evalFrom;
        _metrics = new Metrics[_forecaster.ModelCount][];
        for (int m = 0; m < _metrics.Length; m++)
        {
            _metrics[m] = new Metrics[options.Horizon];
            for (int h = 0; h < options.Horizon; h++)
            {
                _metrics[m][h] = new Metrics();
            }
        }

        double sum = 0;
        double sumSq = 0;
        long n = 0;
        foreach (double v in data.Actual)
        {
            if (!double.IsNaN(v))
            {
                sum += v;
                sumSq += v * v;
                n++;
            }
        }

        double mean = sum / n;
        _std = Math.Sqrt(Math.Max((sumSq / n) - (mean * mean), 0));
    }

    public long LateReadings => _forecaster.LateReadings;

    /// <summary>
    /// Replays the readings in file order. The watermark is the newest time seen minus <paramref name="outOfOrder"/>;
    /// every step it passes is closed and its forecasts are scored, so readings up to that much out of order still count.
    /// </summary>
    public void Run(string predictionsPath, TimeSpan outOfOrder)
    {
        using var output = new StreamWriter(predictionsPath, false, new System.Text.UTF8Encoding(false), 1 << 20);
        output.WriteLine("model,key,issued_row,target_row,horizon,forecast,lower,upper");
        const int Chunk = 4096;
        var keys = new int[Chunk];
        var times = new long[Chunk];
        var values = new double[Chunk];
        int n = 0;
        long lag = outOfOrder.Ticks / TimeSpan.TicksPerMicrosecond;
        long stepMicros = _forecaster.StepMicros;
        long newest = long.MinValue;
        for (int i = 0; i < _data.Times.Count; i++)
        {
            long t = _data.Times[i];
            if (t > newest)
            {
                // A newer reading moves the watermark: hand over what is buffered, then close the completed steps.
                _forecaster.Update(keys.AsSpan(0, n), times.AsSpan(0, n), values.AsSpan(0, n));
                n = 0;
                newest = t;
                while (_forecaster.TryAdvance(newest - lag))
                {
                    Emit(output);
                }
            }

            if (n == Chunk)
            {
                _forecaster.Update(keys, times, values);
                n = 0;
            }

            keys[n] = _data.Keys[i];
            times[n] = t;
            values[n] = _data.Values[i];
            n++;
        }

        _forecaster.Update(keys.AsSpan(0, n), times.AsSpan(0, n), values.AsSpan(0, n));
        long end = (Dataset.StepOf(newest, stepMicros) + 1) * stepMicros;
        while (_forecaster.TryAdvance(end))
        {
            Emit(output);
        }
    }

    public void Print(int[] horizons, TextWriter console)
    {
        var ci = CultureInfo.InvariantCulture;
        console.WriteLine(string.Create(ci, $"std(y) over the whole series = {_std:F4}; metrics pooled over steps 1..h (and at step h)"));
        console.WriteLine("model                h   RMSE     MAE      MAPE     Acc      NRMSE   Cover | RMSE@h   MAE@h    MAPE@h   NRMSE@h");
        for (int m = 0; m < _metrics.Length; m++)
        {
            foreach (int h in horizons)
            {
                Metrics pooled = Pooled(m, h);
                Metrics at = _metrics[m][h - 1];
                console.WriteLine(string.Create(ci, $"{Name(_forecaster.ModelAt(m)),-20} {h,-3} {pooled.Rmse,-8:F4} {pooled.Mae,-8:F4} {pooled.Mape,-8:F4} {pooled.Accuracy,-8:F4} {pooled.Nrmse(_std),-7:F4} {pooled.Coverage,-5:F3} | {at.Rmse,-8:F4} {at.Mae,-8:F4} {at.Mape,-8:F4} {at.Nrmse(_std),-8:F4}"));
            }
        }
    }

    public void WriteReport(string path, string inputPath, TimeSpan step, int[] horizons, double seconds)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("input", inputPath);
        json.WriteString("step", step.ToString("c", CultureInfo.InvariantCulture));
        json.WriteNumber("rows", _data.Rows);
        json.WriteNumber("keys", _data.KeyCount);
        json.WriteNumber("evalFromRow", _evalFrom);
        json.WriteNumber("stdAll", _std);
        json.WriteNumber("lateReadings", _forecaster.LateReadings);
        json.WriteNumber("seconds", seconds);
        json.WriteStartArray("models");
        for (int m = 0; m < _metrics.Length; m++)
        {
            json.WriteStartObject();
            json.WriteString("model", Name(_forecaster.ModelAt(m)));
            json.WriteStartArray("horizons");
            foreach (int h in horizons)
            {
                json.WriteStartObject();
                json.WriteNumber("h", h);
                WriteMetrics(json, "atStep", _metrics[m][h - 1]);
                WriteMetrics(json, "pooled", Pooled(m, h));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Name(ForecastModels model) => model switch
    {
        ForecastModels.Persistence => "persistence",
        ForecastModels.SeasonalNaive => "seasonal-naive",
        ForecastModels.HistoricalAverage => "historical-average",
        ForecastModels.HoltWinters => "holt-winters",
        ForecastModels.Autoregressive => "autoregressive",
        ForecastModels.Combined => "combined",
        _ => model.ToString(),
    };

    private void WriteMetrics(Utf8JsonWriter json, string name, Metrics metrics)
    {
        json.WriteStartObject(name);
        json.WriteNumber("count", metrics.Count);
        Number(json, "rmse", metrics.Rmse);
        Number(json, "mae", metrics.Mae);
        Number(json, "mape", metrics.Mape);
        Number(json, "accuracy", metrics.Accuracy);
        Number(json, "nrmse", metrics.Nrmse(_std));
        Number(json, "intervalCoverage", metrics.Coverage);
        json.WriteEndObject();

        static void Number(Utf8JsonWriter json, string name, double value)
        {
            if (double.IsFinite(value))
            {
                json.WriteNumber(name, value);
            }
            else
            {
                json.WriteNull(name);
            }
        }
    }

    private Metrics Pooled(int m, int h)
    {
        var pooled = new Metrics();
        for (int j = 0; j < h; j++)
        {
            pooled.Add(_metrics[m][j]);
        }

        return pooled;
    }

    private void Emit(StreamWriter output)
    {
        int issuedRow = (int)(_forecaster.LastClosedStep - _data.FirstStep);
        int horizon = _forecaster.Horizon;
        int keys = _forecaster.KeyCount;
        int firstH = Math.Max(1, _evalFrom - issuedRow);
        int lastH = Math.Min(horizon, _data.Rows - 1 - issuedRow);
        if (firstH > lastH)
        {
            return;
        }

        var ci = CultureInfo.InvariantCulture;
        for (int m = 0; m < _metrics.Length; m++)
        {
            string name = Name(_forecaster.ModelAt(m));
            ReadOnlySpan<double> point = _forecaster.Forecasts(m);
            ReadOnlySpan<double> lower = _forecaster.Lower(m);
            ReadOnlySpan<double> upper = _forecaster.Upper(m);
            for (int k = 0; k < keys; k++)
            {
                for (int h = firstH; h <= lastH; h++)
                {
                    int i = (k * horizon) + h - 1;
                    int target = issuedRow + h;
                    double actual = _data.Actual[(target * _data.KeyCount) + k];
                    output.WriteLine(string.Create(ci, $"{name},{_data.KeyNames[k]},{issuedRow},{target},{h},{point[i]:G7},{lower[i]:G7},{upper[i]:G7}"));
                    if (!double.IsNaN(actual))
                    {
                        _metrics[m][h - 1].Add(actual, point[i], lower[i], upper[i]);
                    }
                }
            }
        }
    }
}
