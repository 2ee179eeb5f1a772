using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// The web app with its demo data, in a process of its own so that its memory and CPU are read apart from the
/// load generator's. Always killed on dispose, also when start-up or the measurement failed.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int OutputLinesKept = 40;

    private readonly Process _process;
    private readonly DirectoryInfo? _ownDataFolder;
    private readonly Queue<string> _output = new();
    private readonly EventHandler _killOnExit;
    private Dictionary<string, long> _jitThreadTicks = [];

    private ServerProcess(Process process, DirectoryInfo? dataFolder, bool ownsDataFolder, Uri baseAddress)
    {
        _process = process;
        DataFolder = dataFolder;
        _ownDataFolder = ownsDataFolder ? dataFolder : null;
        BaseAddress = baseAddress;
        // Ctrl+C and SIGTERM end the benchmark through ProcessExit: the server must not outlive it.
        _killOnExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _killOnExit;
    }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    /// <summary>The web app's data folder (its SQLite file, keys and content); null for the fan-out baseline.</summary>
    public DirectoryInfo? DataFolder { get; }

    /// <summary>The last lines the server printed, to explain a failed start.</summary>
    public string OutputTail
    {
        get
        {
            lock (_output)
                return string.Join(Environment.NewLine, _output);
        }
    }

    public static Task<ServerProcess> StartAsync(RepoLayout repo, string demoPassword, TimeSpan startTimeout, CancellationToken ct) =>
        StartAsync(repo, demoPassword, dataFolder: null, startTimeout, ct);

    /// <summary>
    /// Starts the web app on <paramref name="dataFolder"/> when given (kept on dispose, so a later server can start on
    /// the same data: --demo leaves existing demo data as it is), else on a temporary folder deleted on dispose.
    /// </summary>
    public static Task<ServerProcess> StartAsync(RepoLayout repo, string demoPassword, DirectoryInfo? dataFolder, TimeSpan startTimeout, CancellationToken ct) =>
        StartAsync(repo, demoPassword, dataFolder, environment: null, startTimeout, ct);

    /// <summary>As above, with settings of its own for this server (e.g. "Mail__Host"), over the benchmark's defaults.</summary>
    public static async Task<ServerProcess> StartAsync(
        RepoLayout repo, string demoPassword, DirectoryInfo? dataFolder, IReadOnlyDictionary<string, string>? environment, TimeSpan startTimeout, CancellationToken ct)
    {
        if (!File.Exists(repo.WebAssembly))
            throw new BenchmarkException($"The web app is not built at {repo.WebAssembly}: run the benchmark with `dotnet run -c Release`, which builds it.");

        var ownsDataFolder = dataFolder is null;
        dataFolder ??= Directory.CreateTempSubdirectory("cistrat-bench-");
        var baseAddress = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repo.WebProject,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(repo.WebAssembly);
        start.ArgumentList.Add("--demo");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        // --demo is refused in Production.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Learning__DataPath"] = dataFolder.FullName;
        start.Environment["Learning__DemoPassword"] = demoPassword;
        // The options allow at most 10000; the benchmark signs in twice, so any high limit will do.
        start.Environment["Learning__SignInAttemptsPerMinute"] = "10000";
        // Console logging at Information would cost the server more than some of the pages measured.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        return await LaunchAsync(start, dataFolder, ownsDataFolder, baseAddress, startTimeout, ct);
    }

    /// <summary>
    /// The live-room baseline: a bare Kestrel WebSocket fan-out (<see cref="FanOutServer"/>), this program started
    /// again with a hidden switch, in a process of its own like the app, with the app's garbage collector (server GC,
    /// from the web SDK's default) so that their memory compares.
    /// </summary>
    public static async Task<ServerProcess> StartFanOutAsync(TimeSpan startTimeout, CancellationToken ct)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        start.ArgumentList.Add(FanOutServer.Switch);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return await LaunchAsync(start, dataFolder: null, ownsDataFolder: false, baseAddress, startTimeout, ct);
    }

    private static async Task<ServerProcess> LaunchAsync(
        ProcessStartInfo start, DirectoryInfo? dataFolder, bool ownsDataFolder, Uri baseAddress, TimeSpan startTimeout, CancellationToken ct)
    {
        // Memory readings ask the server itself to collect: see GcProbe.
        start.Environment["DOTNET_STARTUP_HOOKS"] = typeof(GcProbe).Assembly.Location;
        var process = Process.Start(start) ?? throw new BenchmarkException("dotnet could not be started.");
        var server = new ServerProcess(process, dataFolder, ownsDataFolder, baseAddress);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilLiveAsync(startTimeout, ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Resident set size (VmRSS in /proc/PID/status), or null once the process is gone.</summary>
    public long? ReadRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Id}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    continue;
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }

            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>User plus system CPU time the server has used so far, or null once the process is gone.</summary>
    public TimeSpan? ReadCpuTime()
    {
        try
        {
            return _process.HasExited ? null : _process.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU time the runtime's tiered-compilation thread used since the last call. Tier-1 JIT of the hot paths goes on
    /// for many seconds of load after start-up; while it does, it takes CPU from the requests being measured.
    /// </summary>
    public TimeSpan TieredCompilationCpuSinceLastCall()
    {
        var now = new Dictionary<string, long>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{Id}/task"))
            {
                // Thread names are cut to 15 characters: ".NET Tiered Com".
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                    continue;
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // Fields after the parenthesised name: state is the 1st, utime the 12th, stime the 13th.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                now[Path.GetFileName(task)] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
            // A thread ended while being read: its last slice is lost, which only makes warm-up one round longer.
        }

        var ticks = now.Sum(t => Math.Max(0, t.Value - _jitThreadTicks.GetValueOrDefault(t.Key)));
        _jitThreadTicks = now;
        // /proc counts in clock ticks of 1/100 s (USER_HZ) on Linux.
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _killOnExit;
        Kill();
        using (var waited = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(waited.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"The server (pid {Id}) did not exit within 10 s of being killed.");
            }
        }

        _process.Dispose();
        try
        {
            _ownDataFolder?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the measurement is what matters.
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLinesKept)
                _output.Dequeue();
        }
    }

    private async Task WaitUntilLiveAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var probe = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new BenchmarkException($"The server exited with code {_process.ExitCode} during start-up. Its last output:{Environment.NewLine}{OutputTail}");
            try
            {
                using var response = await probe.GetAsync(new Uri("/healthz/live", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet: migrations, content import and demo seeding come first.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // The probe's own timeout: the server is busy starting.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }

        throw new BenchmarkException($"GET /healthz/live did not answer 200 within {timeout.TotalSeconds:0} s. The server's last output:{Environment.NewLine}{OutputTail}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
