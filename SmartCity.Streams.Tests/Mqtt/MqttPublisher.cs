using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace SmartCity.Streams.Tests.Mqtt;

/// <summary>A field device: publishes with QoS 1 and keeps retrying (reconnecting) until the broker acknowledges.</summary>
internal sealed class MqttPublisher(int port, string clientId) : IDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public async Task PublishAsync(string topic, string payload) => await PublishAsync(topic, Encoding.UTF8.GetBytes(payload));

    public async Task PublishAsync(string topic, byte[] payload)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await _client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
                        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(2)).Build());
                }

                var result = await _client.PublishAsync(message);
                if (result.IsSuccess)
                {
                    return;
                }
            }
            catch (Exception) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
