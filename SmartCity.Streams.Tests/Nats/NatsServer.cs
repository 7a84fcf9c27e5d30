using System.Diagnostics;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Nats;

/// <summary>A real nats-server with JetStream on a random loopback port and its own store folder; restartable in place.</summary>
internal sealed class NatsServer : IAsyncDisposable
{
    private readonly string _binary = ServerBinary.Find("nats-server", "nats-server");
    private readonly string _store = Directory.CreateTempSubdirectory("scs-nats-").FullName;
    private Process? _process;

    private NatsServer() => Port = ServerBinary.FreePort();

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public static NatsServer Start()
    {
        var server = new NatsServer();
        server.Launch();
        return server;
    }

    public NatsConnection Connect() => new(new NatsOpts { Url = Url, Name = "scs-tests", ConnectTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(5) });

    public static NatsJSContext JetStream(NatsConnection connection) => new(connection);

    /// <summary>SIGKILL: no shutdown, as a crash.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Launch()
    {
        var info = new ProcessStartInfo(_binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", _store })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        ServerBinary.WaitForPort(Port, _process, TimeSpan.FromSeconds(10));
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(_store, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
