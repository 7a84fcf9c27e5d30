using System.Diagnostics;

namespace SmartCity.Streams.Tests.State;

/// <summary>
/// The real crash test: a checkpointed worker process (SmartCity.Streams.CrashWorker) is killed with SIGKILL at
/// random points while it processes; restarted each time from its last checkpoint, its event log finally holds
/// exactly the events of an uninterrupted run, with no id twice.
/// </summary>
public sealed class KillNineCrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scs-kill9-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    public async Task Worker_killed_with_sigkill_at_random_points_resumes_to_the_uninterrupted_event_set(int seed)
    {
        var random = new Random(seed);
        var reference = Path.Combine(_dir, "reference.log");
        Assert.Equal(0, await RunToEnd(Path.Combine(_dir, "ref-state"), reference, delayMs: 0));

        var state = Path.Combine(_dir, "state");
        var log = Path.Combine(_dir, "crash.log");
        var kills = 0;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var worker = Start(state, log, delayMs: 25);
            var waitMs = random.Next(150, 900);
            if (!worker.WaitForExit(waitMs))
            {
                worker.Kill(); // SIGKILL on Unix: no finally blocks, no flush, no final checkpoint
                await worker.WaitForExitAsync();
                kills++;
            }
        }

        Assert.Equal(0, await RunToEnd(state, log, delayMs: 0));
        Assert.True(kills >= 1, "no kill landed while the worker was running");

        var expected = Events(reference);
        var actual = Events(log);
        Assert.Equal(actual.Count, actual.Select(l => l[..l.IndexOf('|', StringComparison.Ordinal)]).Distinct().Count());
        expected.Sort(StringComparer.Ordinal);
        actual.Sort(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    private static List<string> Events(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    private static Process Start(string state, string log, int delayMs)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "SmartCity.Streams.CrashWorker.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(state);
        info.ArgumentList.Add(log);
        info.ArgumentList.Add(delayMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the crash worker");
    }

    private static async Task<int> RunToEnd(string state, string log, int delayMs)
    {
        using var worker = Start(state, log, delayMs);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = worker.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = worker.StandardError.ReadToEndAsync(timeout.Token);
        await worker.WaitForExitAsync(timeout.Token);
        Assert.True(worker.ExitCode == 0, $"worker failed ({worker.ExitCode}): {await output} {await errors}");
        Assert.StartsWith("done", await output, StringComparison.Ordinal);
        return worker.ExitCode;
    }
}
