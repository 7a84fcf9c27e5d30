using NATS.Client.Core;
using NATS.Client.JetStream;

namespace SmartCity.Streams.Nats;

/// <summary>Publishing with message ids that rides out a broker restart: retries until the stream acknowledges.</summary>
internal static class NatsPublishing
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    public const int MaxAttempts = 240; // about a minute of broker outage

    /// <summary>Returns true when the server reported the message as a duplicate.</summary>
    public static async Task<bool> PublishWithRetryAsync(INatsJSContext jetStream, string subject, byte[] data, string messageId, CancellationToken cancellationToken, NatsHeaders? headers = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var ack = await jetStream.PublishAsync(subject, data, opts: new NatsJSPubOpts { MsgId = messageId }, headers: headers, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (ack.Duplicate)
                {
                    return true;
                }

                ack.EnsureSuccess();
                return false;
            }
            catch (NatsJSDuplicateMessageException)
            {
                return true;
            }
            catch (Exception e) when (attempt < MaxAttempts && !cancellationToken.IsCancellationRequested && e is NatsException or TimeoutException or NatsJSApiException)
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
