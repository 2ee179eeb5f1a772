using System.Text;

namespace Cistrat.Learning.Benchmarks;

/// <summary>The run as Markdown: REPORT.md, overwritten by every run.</summary>
internal static class Report
{
    /// <summary>
    /// The report with its head (the pages and completion rules, up to the first section another part of the
    /// benchmark writes) replaced by <paramref name="pages"/>: what `--only pages` writes.
    /// </summary>
    public static string Splice(string? existing, string pages) => ReportSections.SpliceHead(existing, pages);

    public static string ToMarkdown(BenchmarkRun run, IReadOnlyList<TargetCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(checks);
        var md = new StringBuilder();
        var options = run.Options;
        md.AppendLine("# Benchmark: courses, cohorts, enrolment and progress")
            .AppendLine()
            .AppendLine($"Run on {run.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, taking {run.Duration.TotalSeconds:0} s, by")
            .AppendLine($"`dotnet run -c Release --project tests/Cistrat.Learning.Benchmarks{Flags(options)}`.")
            .AppendLine();
        if (options.Quick)
            md.AppendLine("**Quick run** (`--quick`): short windows, so the figures are rough; use a full run to judge the targets.").AppendLine();
        if (run.Invalid.Count > 0)
        {
            md.AppendLine($"**The measurement is not valid**: more than {BenchmarkRun.MaxErrorRate:P0} of the responses were errors in: "
                + string.Join(", ", run.Invalid.Select(m => $"{m.Load.Target} at {m.Load.Clients} clients")) + ". See Errors below.").AppendLine();
        }

        if (run.Disturbed.Count > 0)
        {
            md.AppendLine($"**Other processes were busy during this run** (up to {run.Disturbed.Max(m => m.Resources.OtherCores):0.00} cores, in: "
                + string.Join(", ", run.Disturbed.Select(m => $"{m.Load.Target} at {m.Load.Clients} clients"))
                + "): those figures understate the app; run again on a quiet machine.").AppendLine();
        }

        md.AppendLine($"> The load generator and the server run on the same machine and share its {run.Machine.Cores} cores. Absolute")
            .AppendLine("> requests/s are therefore lower than either would reach alone; the ratio of each page to the bare endpoint,")
            .AppendLine("> measured in the same run on the same server, is the figure to compare between runs and machines.")
            .AppendLine();

        AppendMachine(md, run.Machine);
        AppendSettings(md, run);
        foreach (var clients in options.ClientCounts)
            AppendResults(md, run, clients);
        AppendMemory(md, run.Memory);
        AppendFirstVisit(md, run.FirstVisit);

        md.AppendLine("## Targets").AppendLine()
            .AppendLine("| Target | Measured | Result |")
            .AppendLine("|---|---|---|");
        foreach (var check in checks)
            md.AppendLine($"| {check.Target} | {check.Measured} | **{check.Verdict}** |");
        var needed = Targets.P99ClientCount / Targets.LessonP99.TotalSeconds;
        md.AppendLine()
            .AppendLine($"With {Targets.P99ClientCount} closed-loop clients and no think time, mean latency is {Targets.P99ClientCount} ÷ requests/s (Little's law), so a")
            .AppendLine($"p99 under {Targets.LessonP99.TotalMilliseconds:0} ms at {Targets.P99ClientCount} clients needs the lesson page to serve well over {needed:N0} requests/s.")
            .AppendLine();

        AppendErrors(md, run);
        return md.ToString();
    }

    private static string Flags(BenchmarkOptions options)
    {
        var flags = new List<string>();
        if (options.Quick)
            flags.Add("--quick");
        if (options.Only is { } only)
            flags.Add($"--only {only}");
        if (options.AcceptEncoding != BenchmarkOptions.BrowserAcceptEncoding)
            flags.Add($"--accept-encoding \"{options.AcceptEncoding}\"");
        return flags.Count == 0 ? "" : " -- " + string.Join(' ', flags);
    }

    private static void AppendMachine(StringBuilder md, MachineInfo machine) =>
        md.AppendLine("## Machine").AppendLine()
            .AppendLine("| | |")
            .AppendLine("|---|---|")
            .AppendLine($"| Cores | {machine.Cores} (shared by server and load generator) |")
            .AppendLine($"| CPU | {machine.Cpu} |")
            .AppendLine($"| Memory | {Mib(machine.MemoryBytes)} MiB |")
            .AppendLine($"| OS | {machine.Os} |")
            .AppendLine($"| .NET | {machine.Runtime}, the same runtime for server and load generator |")
            .AppendLine($"| Load average when the run started (1, 5, 15 min) | {machine.LoadAverage} |")
            .AppendLine();

    private static void AppendSettings(StringBuilder md, BenchmarkRun run)
    {
        var options = run.Options;
        var web = Path.GetRelativePath(run.Repo.Root, run.Repo.WebAssembly);
        md.AppendLine("## Settings").AppendLine()
            .AppendLine($"- Server: `dotnet {web} --demo` in its own process, environment Development (`--demo` is refused in")
            .AppendLine("  Production), SQLite in a fresh temporary data folder, logging at Warning, sign-in rate limit 10,000 a minute")
            .AppendLine("  (the most the options allow). Kestrel on 127.0.0.1, HTTP/1.1.")
            .AppendLine($"- Load: closed loop; each of N clients (N = {string.Join(" and ", options.ClientCounts)}) sends its next request when the previous one")
            .AppendLine($"  is answered, over its own keep-alive connection. Per target and N: {options.WarmUp.TotalSeconds:0} s warm-up, then {options.Measure.TotalSeconds:0} s measured.")
            .AppendLine("  Requests/s and latencies count the 200 responses completed inside the measured window; any other answer or")
            .AppendLine("  failure is an error. Latency is from sending the request to reading the last byte of the body.")
            .AppendLine($"- Warm-up before any measurement: rounds of {options.WarmUp.TotalSeconds:0} s per target at {options.ClientCounts.Max()} clients until the server's tiered-compilation")
            .AppendLine($"  thread used under 1 % of a core in a round: {run.WarmUp.Rounds} round(s) of {run.WarmUp.RoundDuration.TotalSeconds:0} s, {run.WarmUp.LastRoundJit.TotalMilliseconds:0} ms of JIT in the last"
                + (run.WarmUp.LastRoundJit >= run.WarmUp.RoundDuration * 0.01 ? " (**still compiling when warm-up gave up**)." : "."))
            .AppendLine($"- Requests as a browser sends them: `Accept: text/html,...`, `Accept-Language: en`, `Accept-Encoding: {options.AcceptEncoding}`.")
            .AppendLine("  Bodies are read as sent (compressed where the server compressed), never decompressed by the load generator.")
            .AppendLine("- The lesson page is written from its template (`Learning:PageTemplates`, on by default: Razor renders each lesson")
            .AppendLine("  once per language, roles and state; a request fills in its own values and copies pre-deflated pieces, so it is")
            .AppendLine("  sent as gzip); the catalogue is rendered by Razor on every request and compressed by the middleware (Brotli).")
            .AppendLine($"- Targets: bare endpoint `GET {LoadTarget.Bare.Path}`; catalogue `GET {LoadTarget.Catalogue.Path}` anonymous; lesson")
            .AppendLine($"  `GET {run.Lesson.Path}` (the lesson the course page offers to continue with) as {Site.TraineeEmail}, signed in")
            .AppendLine("  through the sign-in form; all clients share that one cookie jar.")
            .AppendLine($"- CPU and memory are sampled every {ResourceSampler.Interval.TotalMilliseconds:0} ms from /proc. CPU is in cores (1.00 = one core busy")
            .AppendLine("  throughout the measured window): the server's, the load generator's, and other processes' (anything above")
            .AppendLine($"  {BenchmarkRun.MaxOtherCores:0.00} means something else competed for the cores). Server CPU per request is server CPU time divided")
            .AppendLine("  by the 200 responses: the cost of a page, less sensitive than requests/s to what else runs on the machine.")
            .AppendLine("  Peak RSS covers warm-up and measurement.")
            .AppendLine();
    }

    private static void AppendResults(StringBuilder md, BenchmarkRun run, int clients)
    {
        var bare = run.Find(LoadTarget.Bare.Name, clients).Load.RequestsPerSecond;
        md.AppendLine($"## {clients} clients").AppendLine()
            .AppendLine("| Target | Requests/s | × bare | p50 ms | p99 ms | max ms | Errors | Bytes/response | Server CPU | Server CPU µs/request | Load-gen CPU | Other CPU | Server peak RSS MiB |")
            .AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var m in run.Measurements.Where(m => m.Load.Clients == clients))
        {
            var load = m.Load;
            md.AppendLine(
                $"| {load.Target} | {load.RequestsPerSecond:0} | {load.RequestsPerSecond / bare:0.000} | {load.P50.TotalMilliseconds:0.0} "
                + $"| {load.P99.TotalMilliseconds:0.0} | {load.Max.TotalMilliseconds:0.0} | {load.Errors} | {load.MeanResponseBytes:0} "
                + $"| {m.Resources.ServerCores:0.00} | {m.Resources.ServerCores / load.RequestsPerSecond * 1e6:0} | {m.Resources.LoadGeneratorCores:0.00} | {m.Resources.OtherCores:0.00} | {Mib(m.Resources.PeakRssBytes)} |");
        }

        md.AppendLine();
    }

    private static void AppendMemory(StringBuilder md, MemoryFigures memory) =>
        md.AppendLine("## Server memory (VmRSS)").AppendLine()
            .AppendLine("| When | MiB |")
            .AppendLine("|---|--:|")
            .AppendLine($"| At rest after start-up (migrations, content import, demo data; before any request but the health probe) | {Mib(memory.AfterStartUp)} |")
            .AppendLine($"| At rest after a warm-up of every target at the highest N | {Mib(memory.AtRestAfterWarmUp)} |")
            .AppendLine($"| Peak under load (sampled every {ResourceSampler.Interval.TotalMilliseconds:0} ms) | {Mib(memory.PeakUnderLoad)} |")
            .AppendLine($"| At rest after all load | {Mib(memory.AtRestAfterLoad)} |")
            .AppendLine();

    private static void AppendFirstVisit(StringBuilder md, FirstVisitResult visit)
    {
        md.AppendLine("## First visit to a lesson page").AppendLine()
            .AppendLine($"A fresh signed-in client with an empty cache opens `{visit.LessonPath}` and fetches every stylesheet, script and")
            .AppendLine("image the HTML references (`<link rel=stylesheet href>`, `<script src>`, `<img src>`), with")
            .AppendLine($"`Accept-Encoding: {BenchmarkOptions.BrowserAcceptEncoding}` and no decompression. Counted per response: the request as HTTP/1.1 would")
            .AppendLine("serialize it (request line, headers, cookies), the response status line and headers, and the body bytes as sent.")
            .AppendLine("Not counted: TCP/IP framing, chunked-encoding framing, the sign-in before the visit.")
            .AppendLine("The server runs in Development (`--demo` needs it), where the static-asset endpoints serve the files in wwwroot")
            .AppendLine("with `Cache-Control: no-cache` and compress them at request time; a Production build serves the precompressed")
            .AppendLine("files made at build time, which are smaller, with long-lived caching.")
            .AppendLine()
            .AppendLine("| Resource | Kind | Status | Encoding | Request bytes | Response header bytes | Body bytes |")
            .AppendLine("|---|---|--:|---|--:|--:|--:|");
        foreach (var r in visit.Resources)
            md.AppendLine($"| `{r.Path}` | {r.Kind} | {(int)r.Status} | {r.ContentEncoding} | {r.RequestBytes:N0} | {r.ResponseHeaderBytes:N0} | {r.BodyBytes:N0} |");
        md.AppendLine()
            .AppendLine($"- Transferred, lesson images excluded: **{visit.PageWeightBytes:N0} bytes** ({visit.DownloadedBytes:N0} down, {visit.PageWeightBytes - visit.DownloadedBytes:N0} up).")
            .AppendLine($"- Lesson images (under /course-files/, reported apart): {visit.LessonImageCount}, {visit.LessonImageBytes:N0} bytes.");
        if (visit.SkippedExternal.Count > 0)
            md.AppendLine($"- Referenced on other hosts, not fetched (a benchmark stays on this machine): {string.Join(", ", visit.SkippedExternal.Select(u => $"`{u}`"))}.");
        md.AppendLine();
    }

    private static void AppendErrors(StringBuilder md, BenchmarkRun run)
    {
        var failing = run.Measurements.Where(m => m.Load.Errors > 0).ToList();
        if (failing.Count == 0)
            return;
        md.AppendLine("## Errors").AppendLine();
        foreach (var m in failing)
            md.AppendLine($"- {m.Load.Target}, {m.Load.Clients} clients: {m.Load.Errors} ({m.Load.ErrorRate:P2}), e.g. {string.Join("; ", m.Load.ErrorExamples)}");
        md.AppendLine();
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
