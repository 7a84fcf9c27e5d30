using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Nats;

/// <summary>A real nats-server with JetStream on a random loopback port and its own store folder; restartable in place.</summary>
internal sealed class NatsServer : IAsyncDisposable
{
    private readonly BrokerProcess _broker = new(
        "nats-server",
        "nats-server",
        "scs-nats-",
        (port, folder) => ["-js", "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-sd", folder]);

    private NatsServer()
    {
    }

    public int Port => _broker.Port;

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
    public void Kill() => _broker.Kill();

    public void Launch() => _broker.Launch();

    public ValueTask DisposeAsync()
    {
        _broker.Dispose();
        return ValueTask.CompletedTask;
    }
}
