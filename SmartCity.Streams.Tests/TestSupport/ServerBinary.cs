using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SmartCity.Streams.Tests.TestSupport;

/// <summary>Finds a broker binary, installing its Debian package when running as root with apt, and picks free loopback ports.</summary>
internal static class ServerBinary
{
    private static readonly object Gate = new();

    public static string Find(string binary, string debianPackage)
    {
        lock (Gate)
        {
            var found = Search(binary);
            if (found is not null)
            {
                return found;
            }

            if (Environment.UserName == "root" && Search("apt-get") is { } apt)
            {
                Run(apt, $"install -y {debianPackage}");
                found = Search(binary);
                if (found is null)
                {
                    Run(apt, "update");
                    Run(apt, $"install -y {debianPackage}");
                    found = Search(binary);
                }
            }

            return found ?? throw new InvalidOperationException(
                $"'{binary}' was not found on PATH and could not be installed. Install the Debian package '{debianPackage}' (apt-get install -y {debianPackage}) and run the tests again.");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static void WaitForPort(int port, Process process, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.StartInfo.FileName} exited with code {process.ExitCode} at start.");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"{process.StartInfo.FileName} did not listen on 127.0.0.1:{port} within {timeout}.");
    }

    private static string? Search(string binary)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/bin"]);
        return path.Select(d => Path.Combine(d, binary)).FirstOrDefault(File.Exists);
    }

    private static void Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit(TimeSpan.FromMinutes(5));
    }
}
