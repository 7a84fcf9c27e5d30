namespace SmartCity.Streams.State;

/// <summary>
/// Keeps checkpoints as files <c>&lt;name&gt;.ckpt</c> in a folder. A save writes a temporary file, flushes it to
/// disk and renames it over the previous one, so a crash leaves either the old or the new checkpoint.
/// </summary>
public sealed class FileStateStore : IStateStore
{
    private const string Extension = ".ckpt";

    /// <summary>Creates a store in <paramref name="directory"/> (created if missing).</summary>
    public FileStateStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
    }

    /// <summary>The folder holding the checkpoints.</summary>
    public string Directory { get; }

    /// <summary>The file a checkpoint name is stored in.</summary>
    public string PathOf(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw new ArgumentException($"Checkpoint name '{name}' may only contain ASCII letters, digits, '-', '_' and '.'.", nameof(name));
            }
        }

        return Path.Combine(Directory, name + Extension);
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(Checkpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var path = PathOf(checkpoint.Name);
        var data = CheckpointFormat.Encode(checkpoint);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<Checkpoint?> LoadLatestAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return null;
        }

        var data = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var checkpoint = CheckpointFormat.Decode(data, $"Checkpoint file '{path}'");
        if (!string.Equals(checkpoint.Name, name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Checkpoint file '{path}' belongs to '{checkpoint.Name}', not '{name}'.");
        }

        return checkpoint;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var names = System.IO.Directory.EnumerateFiles(Directory, "*" + Extension)
            .Select(f => Path.GetFileName(f)[..^Extension.Length])
            .Order(StringComparer.Ordinal)
            .ToList();
        return new(names);
    }
}
