using System.Diagnostics;
using System.Globalization;

namespace SmartCity.Streams.Tests.TestSupport;

/// <summary>
/// A broker binary run as a child process on a fixed loopback port with its own data folder, so a test can crash it
/// (SIGKILL), stop it politely (SIGTERM) and start it again in place on the same port and data.
/// </summary>
internal sealed class BrokerProcess : IDisposable
{
    private readonly string _binary;
    private readonly string[] _arguments;
    private Process? _process;

    public BrokerProcess(string binary, string debianPackage, string folderPrefix, Func<int, string, string[]> arguments)
    {
        _binary = ServerBinary.Find(binary, debianPackage);
        DataFolder = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        Port = ServerBinary.FreePort();
        _arguments = arguments(Port, DataFolder);
    }

    public int Port { get; }

    public string DataFolder { get; }

    public void Launch()
    {
        var info = new ProcessStartInfo(_binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in _arguments)
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info)!;

        // Drain both pipes: a broker that fills its stdout pipe blocks, and the test would see a hang, not a failure.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        ServerBinary.WaitForPort(Port, _process, TimeSpan.FromSeconds(10));
    }

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

    /// <summary>SIGTERM, so the broker can save its state; killed if it has not exited within 10 s.</summary>
    public void Terminate()
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
        Kill();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
