using NATS.Client.JetStream;
using NATS.Client.ObjectStore;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Nats;

/// <summary>
/// Keeps checkpoints in a JetStream object store bucket (chunked, so a large state is fine), one object per
/// checkpoint name: a worker restarted on another machine resumes from it. A put becomes visible only when
/// complete, so readers see the old or the new checkpoint.
/// </summary>
public sealed class NatsObjectStateStore : IStateStore
{
    private readonly INatsObjStore _store;

    private NatsObjectStateStore(INatsObjStore store, string bucket)
    {
        _store = store;
        Bucket = bucket;
    }

    /// <summary>The bucket name.</summary>
    public string Bucket { get; }

    /// <summary>Opens (creating if needed) the bucket.</summary>
    public static async Task<NatsObjectStateStore> CreateAsync(INatsJSContext jetStream, string bucket = "scs-checkpoints", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jetStream);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        var context = new NatsObjContext(jetStream);
        var store = await context.CreateObjectStoreAsync(new NatsObjConfig(bucket) { Storage = NatsObjStorageType.File }, cancellationToken).ConfigureAwait(false);
        return new NatsObjectStateStore(store, bucket);
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(Checkpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await _store.PutAsync(checkpoint.Name, CheckpointFormat.Encode(checkpoint), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<Checkpoint?> LoadLatestAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        byte[] data;
        try
        {
            data = await _store.GetBytesAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsObjNotFoundException)
        {
            return null;
        }

        var checkpoint = CheckpointFormat.Decode(data, $"Checkpoint object '{name}' in bucket '{Bucket}'");
        return string.Equals(checkpoint.Name, name, StringComparison.Ordinal)
            ? checkpoint
            : throw new InvalidDataException($"Checkpoint object '{name}' in bucket '{Bucket}' belongs to '{checkpoint.Name}'.");
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        try
        {
            await foreach (var info in _store.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!info.Deleted)
                {
                    names.Add(info.Name);
                }
            }
        }
        catch (NatsObjNotFoundException)
        {
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
