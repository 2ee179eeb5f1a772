using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cistrat.Learning.Web.Tests.Live.Scaleout;

/// <summary>
/// A real redis-server on a free loopback port, without persistence, in a temporary folder of its own. Tests stop
/// it (the process is killed, as a crashed server would be) and start it again on the same port; it is always
/// killed at the end, also when the test process exits without disposing it.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string ServerPath = "/usr/bin/redis-server";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cistrat-tests", "redis-" + Guid.NewGuid().ToString("n"));
    private readonly Lock _gate = new();
    private Process? _process;

    private RedisServer(int port)
    {
        Port = port;
        Directory.CreateDirectory(_folder);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public int Port { get; }

    /// <summary>The setting SignalR:Redis for the app: it must come up and keep retrying while Redis is away.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectRetry=5,connectTimeout=2000";

    public bool IsRunning
    {
        get
        {
            lock (_gate)
                return _process is { HasExited: false };
        }
    }

    private string LogPath => Path.Combine(_folder, "redis.log");

    public static async Task<RedisServer> StartNewAsync(CancellationToken ct)
    {
        if (!File.Exists(ServerPath))
        {
            throw new InvalidOperationException(
                $"The SignalR backplane tests run a real Redis at {ServerPath}, which is not installed: run `apt-get install redis-server` " +
                "(.ci/run installs it on CI).");
        }

        var server = new RedisServer(FreeLoopbackPort());
        try
        {
            await server.StartAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_process is { HasExited: false })
                throw new InvalidOperationException("redis-server is already running.");
            _process?.Dispose();
            var start = new ProcessStartInfo(ServerPath)
            {
                UseShellExecute = false,
                RedirectStandardOutput = false,
                RedirectStandardError = false,
                WorkingDirectory = _folder,
            };
            foreach (var argument in new[]
                     {
                         "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--dir", _folder, "--daemonize", "no", "--logfile", LogPath,
                     })
            {
                start.ArgumentList.Add(argument);
            }

            _process = Process.Start(start) ?? throw new InvalidOperationException($"{ServerPath} did not start.");
        }

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (!IsRunning)
                throw new InvalidOperationException($"redis-server exited at start on port {Port}:\n{ReadLog()}");
            if (await AnswersPingAsync(ct))
                return;
            if (deadline.Elapsed > ReadyTimeout)
                throw new TimeoutException($"redis-server did not answer PING on port {Port} within {ReadyTimeout.TotalSeconds} s:\n{ReadLog()}");
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Kills the server, as a crash or a lost network would take it away; nothing is saved.</summary>
    public async Task StopAsync()
    {
        Process? process;
        lock (_gate)
            process = _process;
        if (process is null || process.HasExited)
            return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        await StopAsync();
        lock (_gate)
        {
            _process?.Dispose();
            _process = null;
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS later.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        lock (_gate)
        {
            if (_process is { HasExited: false })
                _process.Kill(entireProcessTree: true);
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, ct);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string ReadLog()
    {
        try
        {
            return File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no log)";
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
