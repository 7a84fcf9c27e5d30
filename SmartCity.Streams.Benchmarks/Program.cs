using BenchmarkDotNet.Running;

namespace SmartCity.Streams.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project SmartCity.Streams.Benchmarks -- --filter '*'</c>.
/// Every BenchmarkDotNet option works (<c>--filter</c>, <c>--anyCategories</c>, <c>--job dry</c> for a smoke
/// run). Set <c>SCS_BENCH_ROWS</c> to shrink the data set for quick runs. Exits non-zero when a benchmark fails.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                return 2;
            }

            foreach (var report in summary.Reports)
            {
                if (!report.Success)
                {
                    return 1;
                }
            }
        }

        return 0;
    }
}
