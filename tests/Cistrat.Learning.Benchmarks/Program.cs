using System.Diagnostics;
using System.Net;
using Cistrat.Learning.Benchmarks;

// The live-room baseline server is this program started again: see FanOutServer.
if (args is [FanOutServer.Switch, .. var serverArgs])
    return await FanOutServer.RunAsync(serverArgs);

// The certificates section measures in this program started again under the web app's runtime configuration.
if (args is [CertificateBenchmark.Switch, .. var certificateArgs])
    return await CertificateBenchmark.RunChildAsync(certificateArgs);

if (BenchmarkOptions.Parse(args) is not { } options)
{
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the run unwind, so the server is killed on the way out.
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    var repo = RepoLayout.Find();
    if (repo.Configuration != "Release")
    {
        Console.Error.WriteLine($"This is a {repo.Configuration} build: run the benchmark with -c Release, which also builds the web app in Release.");
        return 2;
    }

    return await Benchmark.RunAsync(repo, options, cancel.Token);
}
catch (Exception e) when (e is BenchmarkException or HttpRequestException or IOException
    or Microsoft.AspNetCore.SignalR.HubException or System.Net.WebSockets.WebSocketException or Microsoft.Data.Sqlite.SqliteException)
{
    Console.Error.WriteLine($"The measurement failed: {e.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled; no report written.");
    return 130;
}

/// <summary>One run: start the server, load each target at each client count, visit a lesson once, write the report.</summary>
internal static class Benchmark
{
    /// <summary>Only for the throw-away demo accounts in a temporary data folder of a server on loopback.</summary>
    private const string DemoPassword = "benchmark-2026-demo";

    /// <summary>Long enough for the server to go quiet (timers, GC) before memory is read "at rest".</summary>
    private static readonly TimeSpan Rest = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(RepoLayout repo, BenchmarkOptions options, CancellationToken ct)
    {
        var reportPath = options.ReportPath ?? repo.DefaultReport;
        if (options.Only == BenchmarkOptions.LiveSection)
        {
            var (section, passed) = await RunLiveAsync(repo, options, ct);
            var existing = File.Exists(reportPath) ? await File.ReadAllTextAsync(reportPath, ct) : null;
            await File.WriteAllTextAsync(reportPath, LiveReport.Splice(existing, section), ct);
            Console.WriteLine($"Report: {reportPath} (live-room section)");
            return passed ? 0 : 1;
        }

        if (options.Only == BenchmarkOptions.MailSection)
        {
            var (section, passed) = await RunMailAsync(repo, options, ct);
            var existing = File.Exists(reportPath) ? await File.ReadAllTextAsync(reportPath, ct) : null;
            await File.WriteAllTextAsync(reportPath, MailReport.Splice(existing, section), ct);
            Console.WriteLine($"Report: {reportPath} (mail section)");
            return passed ? 0 : 1;
        }

        if (options.Only == BenchmarkOptions.CertificatesSection)
        {
            var (section, passed) = await RunCertificatesAsync(repo, options, ct);
            var existing = File.Exists(reportPath) ? await File.ReadAllTextAsync(reportPath, ct) : null;
            await File.WriteAllTextAsync(reportPath, CertificateReport.Splice(existing, section), ct);
            Console.WriteLine($"Report: {reportPath} (certificates section)");
            return passed ? 0 : 1;
        }

        var (run, checks, completion) = await RunPagesAsync(repo, options, ct);
        var pages = Report.ToMarkdown(run, checks) + Environment.NewLine + CompletionBenchmark.ToMarkdown(completion);
        if (options.Only == BenchmarkOptions.PagesSection)
        {
            var existing = File.Exists(reportPath) ? await File.ReadAllTextAsync(reportPath, ct) : null;
            await File.WriteAllTextAsync(reportPath, Report.Splice(existing, pages), ct);
            return Verdict(run, checks, othersValid: true, reportPath);
        }

        var (mail, mailValid) = await RunMailAsync(repo, options, ct);
        var (certificates, certificatesValid) = await RunCertificatesAsync(repo, options, ct);
        var (live, livePassed) = await RunLiveAsync(repo, options, ct);
        var pagesAndMail = MailReport.Splice(pages, mail);
        await File.WriteAllTextAsync(reportPath, LiveReport.Splice(CertificateReport.Splice(pagesAndMail, certificates), live), ct);
        return Verdict(run, checks, livePassed && mailValid && certificatesValid, reportPath);
    }

    /// <summary>Prints the pages' targets and says whether the whole measurement was valid (the exit code).</summary>
    private static int Verdict(BenchmarkRun run, IReadOnlyList<TargetCheck> checks, bool othersValid, string reportPath)
    {
        Console.WriteLine();
        foreach (var check in checks)
            Console.WriteLine($"{check.Verdict,-4}  {check.Target}: {check.Measured}");
        Console.WriteLine($"Report: {reportPath}");
        if (run.Disturbed.Count > 0)
            Console.WriteLine($"Other processes took more than {BenchmarkRun.MaxOtherCores:0.00} cores during {run.Disturbed.Count} of the runs: the figures are disturbed.");
        if (run.Invalid.Count == 0)
            return othersValid ? 0 : 1;
        Console.Error.WriteLine($"The measurement is not valid: more than {BenchmarkRun.MaxErrorRate:P0} errors in "
            + string.Join(", ", run.Invalid.Select(m => $"{m.Load.Target} at {m.Load.Clients} clients")) + ".");
        return 1;
    }

    /// <summary>The pages, the first visit and the completion rules, on one server that is stopped before the live rooms start.</summary>
    private static async Task<(BenchmarkRun Run, IReadOnlyList<TargetCheck> Checks, CompletionBenchmark.Result Completion)> RunPagesAsync(
        RepoLayout repo, BenchmarkOptions options, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        Console.WriteLine($"Starting {Path.GetRelativePath(repo.Root, repo.WebAssembly)} --demo ...");
        await using var server = await ServerProcess.StartAsync(repo, DemoPassword, TimeSpan.FromMinutes(2), ct);
        Console.WriteLine($"Server (pid {server.Id}) is live at {server.BaseAddress}");
        await Task.Delay(Rest, ct);
        var afterStartUp = ReadRss(server);

        var anonymous = new CookieContainer();
        var trainee = new CookieContainer();
        string lessonPath;
        using (var setup = Browser.Create(server.BaseAddress, trainee, maxConnections: 1, acceptEncoding: "", decompress: true))
        {
            await Site.SignInAsync(setup, trainee, Site.TraineeEmail, DemoPassword, ct);
            lessonPath = await Site.FindLessonPathAsync(setup, Site.CourseSlug, ct);
        }

        var lesson = LoadTarget.Lesson(lessonPath);
        Console.WriteLine($"Signed in as {Site.TraineeEmail}; lesson under load: {lesson.Path}");
        LoadTarget[] targets = [LoadTarget.Bare, LoadTarget.Catalogue, lesson];

        await using var sampler = new ResourceSampler(server);
        var warmUp = await WarmUpAsync(server, targets, trainee, anonymous, options, ct);
        Console.WriteLine($"Warm-up: {warmUp.Rounds} round(s); the JIT thread used {warmUp.LastRoundJit.TotalMilliseconds:0} ms in the last one");
        await Task.Delay(Rest, ct);
        var afterWarmUp = ReadRss(server);

        var measurements = new List<Measurement>();
        foreach (var clients in options.ClientCounts)
        {
            foreach (var target in targets)
            {
                var load = await LoadAsync(server, target, target.SignedIn ? trainee : anonymous, clients, options.WarmUp, options.Measure, options, ct);
                var measurement = new Measurement(load, sampler.Summarize(load));
                measurements.Add(measurement);
                Console.WriteLine(
                    $"{target.Name,-22} {clients,4} clients: {load.RequestsPerSecond,8:0} requests/s, p50 {load.P50.TotalMilliseconds,6:0.0} ms, "
                    + $"p99 {load.P99.TotalMilliseconds,6:0.0} ms, {load.Errors} errors; cores: server {measurement.Resources.ServerCores:0.00}, "
                    + $"load generator {measurement.Resources.LoadGeneratorCores:0.00}, others {measurement.Resources.OtherCores:0.00}");
            }
        }

        var peak = sampler.PeakRssBytes();
        await Task.Delay(Rest, ct);
        var afterLoad = ReadRss(server);

        var firstVisit = await FirstVisit.MeasureAsync(server.BaseAddress, Site.TraineeEmail, DemoPassword, lesson.Path, ct);
        Console.WriteLine($"First visit to {lesson.Path}: {firstVisit.PageWeightBytes:N0} bytes in {firstVisit.Resources.Count} responses");

        Console.WriteLine("Grading and completion rules for a cohort of 1,000 trainees ...");
        var completion = await CompletionBenchmark.RunAsync(Path.Combine(repo.Root, "content"), trainees: 1000, ct);
        Console.WriteLine($"Whole cohort after a rule change: {completion.BulkAfterRuleChange.TotalMilliseconds:N0} ms, {completion.BulkAfterRuleChangeCommands} SQL commands; "
            + $"one by one: {completion.OneByOne.TotalMilliseconds:N0} ms, {completion.OneByOneCommands} commands");

        var run = new BenchmarkRun(
            startedAt, clock.Elapsed, machine, options, repo, lesson, measurements,
            new MemoryFigures(afterStartUp, afterWarmUp, peak, afterLoad), firstVisit, warmUp);
        return (run, Targets.Judge(run), completion);
    }

    /// <summary>
    /// The live-room section (its own server processes and data); returns its Markdown, and false when the measurement
    /// itself is not valid (trainees that could not join, dropped connections).
    /// </summary>
    private static async Task<(string Section, bool Valid)> RunLiveAsync(RepoLayout repo, BenchmarkOptions options, CancellationToken ct)
    {
        var live = await LiveBenchmark.RunAsync(repo, options, DemoPassword, ct);
        var checks = LiveTargets.Judge(live);
        Console.WriteLine();
        foreach (var check in checks)
            Console.WriteLine($"{check.Verdict,-4}  {check.Target}: {check.Measured}");
        var invalid = live.Points.Where(p => p.Room.Slides.ConnectFailures + p.Room.Slides.DroppedConnections + p.Bare.ConnectFailures + p.Bare.DroppedConnections > 0).ToList();
        if (invalid.Count > 0)
            Console.Error.WriteLine("The live-room measurement is not valid: connections failed or dropped at N = " + string.Join(", ", invalid.Select(p => p.Clients)) + ".");
        return (LiveReport.ToMarkdown(live, checks), invalid.Count == 0);
    }

    /// <summary>
    /// The mail section (its own server process, data and SMTP sink); returns its Markdown, and false when the
    /// measurement itself is not valid (messages lost or sent twice, the round stopped).
    /// </summary>
    private static async Task<(string Section, bool Valid)> RunMailAsync(RepoLayout repo, BenchmarkOptions options, CancellationToken ct)
    {
        var mail = await MailBenchmark.RunAsync(repo, options, DemoPassword, ct);
        var checks = MailTargets.Judge(mail);
        Console.WriteLine();
        foreach (var check in checks)
            Console.WriteLine($"{check.Verdict,-4}  {check.Target}: {check.Measured}");
        var round = mail.Round;
        var valid = round.AllDelivered && round.Duplicates == 0 && !round.TimedOut;
        if (!valid)
            Console.Error.WriteLine($"The mail measurement is not valid: {round.Delivered:N0} of {round.Session.ExpectedRecipients:N0} delivered, {round.Duplicates} duplicates"
                + (round.TimedOut ? ", and the round stopped making progress." : "."));
        return (MailReport.ToMarkdown(mail, checks), valid);
    }

    /// <summary>
    /// The certificates section (a child process hosting the app on its own data); returns its Markdown, and false when
    /// the measurement itself is not valid (an item not done, a certificate, PDF or mail missing).
    /// </summary>
    private static async Task<(string Section, bool Valid)> RunCertificatesAsync(RepoLayout repo, BenchmarkOptions options, CancellationToken ct)
    {
        var run = await CertificateBenchmark.RunAsync(repo, options, ct);
        var checks = CertificateTargets.Judge(run);
        Console.WriteLine();
        foreach (var check in checks)
            Console.WriteLine($"{check.Verdict,-4}  {check.Target}: {check.Measured}");
        var valid = run.OneWorker.Complete && run.FourWorkers.Complete && run.Hangfire.Complete;
        if (!valid)
            Console.Error.WriteLine("The certificates measurement is not valid: a batch item was not done, or a certificate, PDF or mail is missing (see the section's checks).");
        return (CertificateReport.ToMarkdown(run, checks), valid);
    }

    /// <summary>
    /// Every target in turn at the highest client count, in rounds, until the server's tiered JIT has settled (its
    /// thread used under 1 % of a core in the last round): otherwise the first measured runs pay for compilation.
    /// </summary>
    private static async Task<WarmUp> WarmUpAsync(
        ServerProcess server, LoadTarget[] targets, CookieContainer trainee, CookieContainer anonymous, BenchmarkOptions options, CancellationToken ct)
    {
        const int MaxRounds = 8;
        var clients = options.ClientCounts.Max();
        var round = options.WarmUp * targets.Length;
        server.TieredCompilationCpuSinceLastCall();
        for (var rounds = 1; ; rounds++)
        {
            foreach (var target in targets)
                await LoadAsync(server, target, target.SignedIn ? trainee : anonymous, clients, TimeSpan.Zero, options.WarmUp, options, ct);
            var jit = server.TieredCompilationCpuSinceLastCall();
            if (jit < round * 0.01 || rounds == MaxRounds)
                return new WarmUp(rounds, round, jit);
        }
    }

    /// <summary>A client of its own per run, so one run's connections neither help nor burden the next.</summary>
    private static async Task<LoadResult> LoadAsync(
        ServerProcess server, LoadTarget target, CookieContainer cookies, int clients, TimeSpan warmUp, TimeSpan measure, BenchmarkOptions options, CancellationToken ct)
    {
        using var client = Browser.Create(server.BaseAddress, cookies, clients, options.AcceptEncoding);
        return await LoadRunner.RunAsync(client, target.Name, new Uri(target.Path, UriKind.Relative), clients, warmUp, measure, ct);
    }

    private static long ReadRss(ServerProcess server) =>
        server.ReadRssBytes() ?? throw new BenchmarkException($"The server exited unexpectedly. Its last output:{Environment.NewLine}{server.OutputTail}");
}
