using System.Diagnostics;
using System.Globalization;
using SmartCity.Streams.Nats;

namespace SmartCity.Streams.Tests.Nats;

/// <summary>
/// The crash test over JetStream: a NatsWorker process (SmartCity.Streams.CrashWorker "nats" mode) is killed
/// with SIGKILL at random points; restarted each time, it resumes from its checkpoint, and the event stream ends
/// up with exactly the events of an uninterrupted run, each once.
/// </summary>
public sealed class NatsKillNineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scs-natskill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Nats_worker_process_killed_with_sigkill_at_random_points_publishes_each_expected_event_once()
    {
        await using var server = NatsServer.Start();
        await using var connection = server.Connect();
        var js = NatsServer.JetStream(connection);
        var city = NatsTestData.City(partitions: 2);
        var expected = NatsTestData.ExpectedEventIds(city);
        var layout = new NatsLayout("kill", 2);
        await layout.EnsureStreamsAsync(js);
        await NatsTestData.PublishCityAsync(js, layout, city);

        var random = new Random(5);
        var kills = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var worker = Start(server.Url, layout, delayMs: 40);
            if (!worker.WaitForExit(random.Next(400, 1_400)))
            {
                worker.Kill();
                await worker.WaitForExitAsync();
                kills++;
            }
        }

        using (var last = Start(server.Url, layout, delayMs: 0))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var output = last.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = last.StandardError.ReadToEndAsync(timeout.Token);
            await last.WaitForExitAsync(timeout.Token);
            Assert.True(last.ExitCode == 0, $"worker failed ({last.ExitCode}): {await output} {await errors}");
        }

        Assert.True(kills >= 1, "no kill landed while the worker was running");
        var ids = await NatsTestData.ReadEventIdsAsync(js, layout.EventStream);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(expected.Order(), ids.Order());
    }

    private Process Start(string url, NatsLayout layout, int delayMs)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "SmartCity.Streams.CrashWorker.dll"), "nats", url, layout.Prefix,
            layout.Partitions.ToString(CultureInfo.InvariantCulture), Path.Combine(_dir, "state"), delayMs.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start the crash worker");
    }
}
