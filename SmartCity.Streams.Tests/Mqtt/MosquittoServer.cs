using System.Globalization;
using SmartCity.Streams.Tests.TestSupport;

namespace SmartCity.Streams.Tests.Mqtt;

/// <summary>A real mosquitto broker (Debian package mosquitto) on a random loopback port, with persistence and large queues; restartable in place.</summary>
internal sealed class MosquittoServer : IDisposable
{
    private readonly BrokerProcess _broker;

    private MosquittoServer()
    {
        _broker = new BrokerProcess("mosquitto", "mosquitto", "scs-mosquitto-", (_, folder) => ["-c", Path.Combine(folder, "mosquitto.conf")]);
        File.WriteAllText(Path.Combine(_broker.DataFolder, "mosquitto.conf"), string.Join('\n',
            $"listener {Port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            $"persistence_location {_broker.DataFolder}/",
            "autosave_interval 1",
            "max_queued_messages 100000",
            "max_inflight_messages 1000",
            "user root",
            string.Empty));
    }

    public int Port => _broker.Port;

    public static MosquittoServer Start()
    {
        var server = new MosquittoServer();
        server.Launch();
        return server;
    }

    public void Launch() => _broker.Launch();

    /// <summary>SIGTERM: mosquitto saves its sessions and queues to disk and exits.</summary>
    public void Stop() => _broker.Terminate();

    public void Dispose() => _broker.Dispose();
}
