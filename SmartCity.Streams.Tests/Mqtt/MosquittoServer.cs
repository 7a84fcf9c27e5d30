using System.Diagnostics;
using System.Globalization;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Mqtt;

/// <summary>A real mosquitto broker (Debian package mosquitto) on a random loopback port, with persistence and large queues; restartable in place.</summary>
internal sealed class MosquittoServer : IDisposable
{
    private readonly string _binary = ServerBinary.Find("mosquitto", "mosquitto");
    private readonly string _dir = Directory.CreateTempSubdirectory("scs-mosquitto-").FullName;
    private Process? _process;

    private MosquittoServer()
    {
        Port = ServerBinary.FreePort();
        File.WriteAllText(ConfigPath, string.Join('\n',
            $"listener {Port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            $"persistence_location {_dir}/",
            "autosave_interval 1",
            "max_queued_messages 100000",
            "max_inflight_messages 1000",
            "user root",
            string.Empty));
    }

    public int Port { get; }

    private string ConfigPath => Path.Combine(_dir, "mosquitto.conf");

    public static MosquittoServer Start()
    {
        var server = new MosquittoServer();
        server.Launch();
        return server;
    }

    public void Launch()
    {
        var info = new ProcessStartInfo(_binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ConfigPath);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        ServerBinary.WaitForPort(Port, _process, TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGTERM: mosquitto saves its sessions and queues to disk and exits.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill();
            }
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
