using System.Globalization;
using System.Text;

namespace Cistrat.Learning.Benchmarks;

/// <summary>Issue #7's certificate targets, judged on one run: "on a 2-core machine".</summary>
internal static class CertificateTargets
{
    public static IReadOnlyList<TargetCheck> Judge(CertificateRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var c = CultureInfo.InvariantCulture;
        var checks = new List<TargetCheck>();
        var judged = run.Cohort == CertificateBenchmark.TargetCohort;
        var notJudged = judged ? "" : $" — not judged: a cohort of {run.Cohort:N0} in this run (`--quick`)";

        var h = run.Hangfire;
        checks.Add(new TargetCheck(
            $"≥ {CertificateBenchmark.TargetPerSecond:0} certificates/s for a cohort of {CertificateBenchmark.TargetCohort:N0} (mint, sign, render, store, mail queued) through the app's Hangfire server, {h.Workers} workers",
            string.Create(c, $"{h.PerSecond:0.0}/s ({h.Done:N0} of {h.Items:N0} in {h.Seconds:0.0} s; {h.Failed} failed)") + notJudged,
            judged ? h.Complete && h.PerSecond >= CertificateBenchmark.TargetPerSecond : null));
        var f = run.FourWorkers;
        checks.Add(new TargetCheck(
            $"The same, the issuing work alone (IssueAsync from {f.Workers} parallel workers, no job system)",
            string.Create(c, $"{f.PerSecond:0.0}/s ({f.Done:N0} of {f.Items:N0} in {f.Seconds:0.0} s; {f.Failed} failed)") + notJudged,
            judged ? f.Complete && f.PerSecond >= CertificateBenchmark.TargetPerSecond : null));
        foreach (var pdf in run.Pdfs)
        {
            checks.Add(new TargetCheck(
                $"Every PDF < {CertificateBenchmark.MaxPdfBytes:N0} bytes, {pdf.Script} names",
                string.Create(c, $"largest {pdf.MaxBytes:N0} bytes of {pdf.Count:N0}"),
                pdf.MaxBytes < CertificateBenchmark.MaxPdfBytes));
        }

        return checks;
    }
}

/// <summary>
/// The certificates section of REPORT.md. It sits after the mail section and before the live-room section (whose
/// `--only live` rewrites from its marker to the end); `--only certificates` rewrites from its marker to the next
/// section the benchmark writes.
/// </summary>
internal static class CertificateReport
{
    public const string Marker = "<!-- certificates: written by the benchmark's certificates section; `--only certificates` rewrites it, up to the next section the benchmark writes -->";

    /// <summary>The report with its certificates section replaced by <paramref name="section"/>; a report without one gets it before the live-room section, or at the end.</summary>
    public static string Splice(string? existing, string section) => ReportSections.Splice(existing, Marker, section);

    public static string ToMarkdown(CertificateRun run, IReadOnlyList<TargetCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(checks);
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(Marker)
            .AppendLine("## Certificates: issuing a cohort and the PDFs' sizes")
            .AppendLine()
            .AppendLine(c, $"Run on {run.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, taking {run.DurationSeconds:0} s, by")
            .AppendLine(c, $"`dotnet run -c Release --project tests/Cistrat.Learning.Benchmarks{Flags(run)}`.");
        if (run.Only == BenchmarkOptions.CertificatesSection)
            md.AppendLine("This section alone was run (`--only certificates`); the other sections are from an earlier run.");
        md.AppendLine();
        if (run.Quick)
            md.AppendLine(c, $"**Quick run** (`--quick`): cohorts of {run.Cohort:N0} instead of {CertificateBenchmark.TargetCohort:N0}; the rate targets are not judged.").AppendLine();
        var busiest = new[] { run.OneWorker.OtherCores, run.FourWorkers.OtherCores, run.Hangfire.OtherCores }.Max();
        if (busiest > BenchmarkRun.MaxOtherCores)
            md.AppendLine(c, $"**Other processes were busy during this run** (up to {busiest:0.00} cores while certificates were issued): the rates understate the app; run again on a quiet machine.").AppendLine();

        AppendMachine(md, run);
        AppendSettings(md, run);
        AppendResults(md, run);
        AppendTimeGoes(md, run);
        AppendProposals(md, run);
        AppendPdfs(md, run);

        md.AppendLine("### Certificate targets").AppendLine()
            .AppendLine("| Target | Measured | Result |")
            .AppendLine("|---|---|---|");
        foreach (var check in checks)
            md.AppendLine(c, $"| {check.Target} | {check.Measured} | **{check.Verdict}** |");
        md.AppendLine();

        var errors = new[] { ("Warm-up", run.WarmUp.Errors), ("One worker", run.OneWorker.Errors), ("Four workers", run.FourWorkers.Errors), ("Through Hangfire", run.Hangfire.Errors) }
            .Where(e => e.Errors.Count > 0).ToList();
        if (errors.Count > 0)
        {
            md.AppendLine("### Errors").AppendLine();
            foreach (var (name, list) in errors)
            {
                foreach (var e in list)
                    md.AppendLine(c, $"- {name}: {e}");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    private static string Flags(CertificateRun run)
    {
        var flags = new List<string>();
        if (run.Quick)
            flags.Add("--quick");
        if (run.Only is { } only)
            flags.Add($"--only {only}");
        return flags.Count == 0 ? "" : " -- " + string.Join(' ', flags);
    }

    private static void AppendMachine(StringBuilder md, CertificateRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var m = run.Machine;
        md.AppendLine("### Machine").AppendLine()
            .AppendLine("| | |")
            .AppendLine("|---|---|")
            .AppendLine(c, $"| Cores | {m.Cores} (shared by the app's workers, SQLite, the job server and the benchmark's polling) |")
            .AppendLine(c, $"| CPU | {m.Cpu} |")
            .AppendLine(c, $"| Memory | {m.MemoryBytes / 1048576.0:0.0} MiB |")
            .AppendLine(c, $"| OS | {m.Os} |")
            .AppendLine(c, $"| .NET | {m.Runtime}; {(run.ServerGc ? "server" : "workstation")} GC, ICU cultures (the app's runtime configuration) |")
            .AppendLine(c, $"| Load average when the section started (1, 5, 15 min) | {m.LoadAverage} |")
            .AppendLine(c, $"| Other processes of the project when the section started | {(run.OtherAppProcesses.Count == 0 ? "none" : string.Join("; ", run.OtherAppProcesses.Select(p => $"`{p}`")))} |")
            .AppendLine();
    }

    private static void AppendSettings(StringBuilder md, CertificateRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var b = run.Baselines;
        md.AppendLine("### Settings").AppendLine()
            .AppendLine("- The real app in a child process of the benchmark started under the web app's own runtime configuration")
            .AppendLine("  (`dotnet exec --runtimeconfig Cistrat.Learning.Web.runtimeconfig.json`: server GC, ICU), hosted with")
            .AppendLine("  `WebApplicationFactory` (no request is served): Program's services and start-up — migrations, the content import, the")
            .AppendLine("  3072-bit signing key created in the data folder, the Noto fonts — on a SQLite file (WAL) in a temporary data folder;")
            .AppendLine("  environment Production, logging at Warning, `Jobs:Schedule=false` (no recurring sweep), no `Mail:Host`: mail goes to")
            .AppendLine("  `.eml` files in the pickup folder, never to a network.")
            .AppendLine(c, $"- Cohorts of the course `{CertificateSetup.CourseSlug}` made for the run, {run.Cohort:N0} trainees each, enrolled and active, two lecturers and a")
            .AppendLine("  coordinator on the staff; the trainees' names in four scripts in turn — Latin with diacritics (e.g. Nguyễn Thị Ngọc Ánh),")
            .AppendLine("  Arabic (فاطمة الزهراء بن علي), Chinese (王芳), Amharic (አበበ ቢቂላ) — so every font chain is used. Each cohort's batch is recorded")
            .AppendLine("  as the coordinator's \"Issue\" button records it (`CertificateService.StartBatchAsync`, after its eligibility check, which is")
            .AppendLine("  not timed). Certificates of completion, template `completion.json` with its logo and QR code.")
            .AppendLine(c, $"- **Issuing alone**: `CertificateIssuer.IssueAsync(itemId)` per batch item — count the attempt, mint (read, sign the")
            .AppendLine("  credential, INSERT certificate and audit row in one transaction), render the PDF, store it, queue the mail, mark the item")
            .AppendLine("  done — each in a DI scope of its own as Hangfire's activator gives each job, by 1 or by 4 workers (`Jobs:Workers`, 4) taking")
            .AppendLine(c, $"  the next item when they finish one. The app runs no job server here. A warm-up cohort of {run.WarmUp.Items} goes first.")
            .AppendLine(c, $"- **Through Hangfire**: the app with its Hangfire server (Hangfire.Storage.SQLite, `jobs.db`, {run.Hangfire.Workers} workers on the queues `mail` and")
            .AppendLine("  `default`, poll interval 1 s). The batch is recorded and handed over as the coordinator's button does")
            .AppendLine("  (`StartBatchAsync`, then `CertificateBatchJob.Enqueue`); the batch job enqueues one `CertificateJob` per trainee. Each")
            .AppendLine("  `IssueAsync` kicks the mail dispatcher (`MailKick.Now`), so mail *dispatch* runs on the same workers and writes")
            .AppendLine("  `.eml` files (with the PDF attached) to the pickup folder: part of the measured window, as it would be in production.")
            .AppendLine("  Timed from the start of `StartBatchAsync` to the latest `FinishedAt` of the batch's items (both on this machine's clock).")
            .AppendLine(c, $"  A warm-up batch of {run.HangfireWarmUp.Items} goes first, through the same server.")
            .AppendLine(c, $"- Baselines in the same process, same run: a **bare Skia PDF** (an A4 page with one line of text in Noto Sans, nothing")
            .AppendLine(c, $"  else; {b.BarePdfBytes:N0} bytes) and an **RS256 signature** alone with the app's own {b.KeyBits}-bit key over a real credential's")
            .AppendLine(c, $"  {b.SigningInputBytes:N0}-byte signing input; {b.Iterations} of each on one thread (after a tenth as many to warm up), then {b.Iterations} on 4 threads.")
            .AppendLine(c, $"  And Hangfire alone, as in the mail section: {run.Jobs.Jobs:N0} no-op jobs on a fresh Hangfire.Storage.SQLite file, {run.Jobs.Workers} workers.")
            .AppendLine("- CPU: this process's CPU time over the window (the app, its workers, SQLite, Hangfire, the benchmark's 50 ms")
            .AppendLine("  progress reads), and the other processes' from /proc/stat.")
            .AppendLine();
    }

    private static void AppendResults(StringBuilder md, CertificateRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var b = run.Baselines;
        var barePerSecond = 1000 / b.BarePdfMs;
        var rsaPerSecond = 1000 / b.Rs256Ms;
        md.AppendLine("### Results").AppendLine()
            .AppendLine(c, $"| Cohort of {run.Cohort:N0} | Workers | **Certificates/s** | Seconds | p50 / p99 ms per certificate | CPU, cores | CPU ms per certificate | Other processes, cores | × bare PDF/s (1 thread) | × RS256/s (1 thread) |")
            .AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        var h = run.Hangfire;
        md.AppendLine(c, $"| **Through Hangfire** (end to end) | {h.Workers} | **{h.PerSecond:0.0}** | {h.Seconds:0.0} | — | {h.ProcessCores:0.00} | {h.CpuMsPerCertificate:0.0} | {h.OtherCores:0.00} | {h.PerSecond / barePerSecond:0.000} | {h.PerSecond / rsaPerSecond:0.000} |");
        foreach (var r in new[] { run.FourWorkers, run.OneWorker, run.FourWorkersBusyTimeout })
            md.AppendLine(c, $"| {(r == run.FourWorkersBusyTimeout ? "What-if: issuing alone with SQLite's `busy_timeout` on the app's connections" : "Issuing alone (`IssueAsync`)")} | {r.Workers} | **{r.PerSecond:0.0}** | {r.Seconds:0.0} | {r.P50Ms:0.0} / {r.P99Ms:0.0} | {r.ProcessCores:0.00} | {r.CpuMsPerCertificate:0.0} | {r.OtherCores:0.00} | {r.PerSecond / barePerSecond:0.000} | {r.PerSecond / rsaPerSecond:0.000} |");
        md.AppendLine()
            .AppendLine("| Baseline, same run | ms each (1 thread) | per second, 1 thread | per second, 4 threads |")
            .AppendLine("|---|--:|--:|--:|")
            .AppendLine(c, $"| Bare Skia PDF, one line of text, its font subset once by the app's subsetter ({b.BarePdfBytes:N0} bytes) | {b.BarePdfMs:0.000} | {barePerSecond:0} | {b.BarePdfPerSecond4:0} |")
            .AppendLine(c, $"| The same page with the whole font file handed to Skia ({b.WholeFontPdfBytes:N0} bytes) | {b.WholeFontPdfMs:0.000} | {1000 / b.WholeFontPdfMs:0} | — |")
            .AppendLine(c, $"| RS256 signature alone ({b.KeyBits}-bit key) | {b.Rs256Ms:0.000} | {rsaPerSecond:0} | {b.Rs256PerSecond4:0} |")
            .AppendLine(c, $"| Hangfire no-op job, {run.Jobs.Workers} workers, SQLite storage | — | — | {run.Jobs.JobsPerSecond:0.0} (all workers) |")
            .AppendLine();

        md.AppendLine("Checks on what each run left behind (every item must be done, with one certificate, one PDF and one mail each):").AppendLine()
            .AppendLine("| Run | Items | Done | Failed | Certificates | PDFs stored | Mails queued | Saves failed and retried (of which status-list index taken) | GCs gen0/1/2 | Allocated MiB |")
            .AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in new[] { run.WarmUp, run.OneWorker, run.FourWorkers, run.FourWorkersBusyTimeout })
            md.AppendLine(c, $"| {r.Name} ({r.Workers} worker{(r.Workers == 1 ? "" : "s")}) | {r.Items:N0} | {r.Done:N0} | {r.Failed} | {r.Certificates:N0} | {r.Files:N0} | {r.MailsQueued:N0} | {r.FailedSaves} ({r.StatusListCollisions}) | {r.Gen0}/{r.Gen1}/{r.Gen2} | {r.AllocatedMb:N0} |");
        foreach (var (name, r) in new[] { ("Hangfire warm-up", run.HangfireWarmUp), ("Through Hangfire", run.Hangfire) })
            md.AppendLine(c, $"| {name} ({r.Workers} workers) | {r.Items:N0} | {r.Done:N0} | {r.Failed} | {r.Certificates:N0} | {r.Files:N0} | {r.MailsQueued:N0} | {r.FailedSaves} ({r.StatusListCollisions}) | — | — |");
        md.AppendLine();
    }

    private static void AppendTimeGoes(StringBuilder md, CertificateRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var s = run.Breakdown;
        var total = s.TotalMs;
        string Share(double ms) => (ms / total).ToString("P0", c);
        md.AppendLine("### Where the time goes").AppendLine()
            .AppendLine(c, $"One certificate at a time on one thread, {s.Items} trainees of a cohort of their own, each step timed apart (the PDF is")
            .AppendLine("rendered a second time alone to split rendering from storing; the rest is what `IssueAsync` then does when it finds the")
            .AppendLine("certificate and its PDF already there):")
            .AppendLine()
            .AppendLine("| Step | ms per certificate | share |")
            .AppendLine("|---|--:|--:|")
            .AppendLine(c, $"| Mint: `CertificateService.MintAsync` (one transaction) | {s.MintMs:0.00} | {Share(s.MintMs)} |")
            .AppendLine(c, $"| — of which the font check (`CertificateDocuments.CheckFonts`: layout, a face for every character) | {s.CheckFontsMs:0.00} | {Share(s.CheckFontsMs)} |")
            .AppendLine(c, $"| — of which signing the credential (`CredentialSigner.Sign`: Open Badges JSON + RS256) | {s.SignMs:0.00} | {Share(s.SignMs)} |")
            .AppendLine(c, $"| — of which reads, INSERTs and commits | {s.MintWithoutSignMs:0.00} | {Share(s.MintWithoutSignMs)} |")
            .AppendLine(c, $"| Render and store: `CertificateIssuer.EnsureFileAsync` | {s.EnsureFileMs:0.00} | {Share(s.EnsureFileMs)} |")
            .AppendLine(c, $"| — of which rendering (`CertificateDocuments.RenderPdf`, timed alone) | {s.RenderMs:0.00} | {Share(s.RenderMs)} |")
            .AppendLine(c, $"| —— the template's layout (`Layout`) | {s.LayoutMs:0.00} | {Share(s.LayoutMs)} |")
            .AppendLine(c, $"| —— `CertificatePdfRenderer.Render` on that layout (timed alone) | {s.DrawAllMs:0.00} | {Share(s.DrawAllMs)} |")
            .AppendLine(c, $"| ——— the text: shaping, font subsets, their embedding (Render less without the text) | {s.DrawAllMs - s.DrawNoTextMs:0.00} | {Share(s.DrawAllMs - s.DrawNoTextMs)} |")
            .AppendLine(c, $"| ——— the logo (Render less without the image: Skia deflates its pixels in every PDF) | {s.DrawAllMs - s.DrawNoImageMs:0.00} | {Share(s.DrawAllMs - s.DrawNoImageMs)} |")
            .AppendLine(c, $"| ——— the QR code (Render less without it; its matrix alone, QRCoder: {s.QrMs:0.00} ms) | {s.DrawAllMs - s.DrawNoQrMs:0.00} | {Share(s.DrawAllMs - s.DrawNoQrMs)} |")
            .AppendLine(c, $"| ——— an empty page of the template (Render of no element) | {s.DrawEmptyMs:0.00} | {Share(s.DrawEmptyMs)} |")
            .AppendLine(c, $"| — of which the look-up and the INSERT of the PDF (remainder) | {s.EnsureFileMs - s.RenderMs:0.00} | {Share(s.EnsureFileMs - s.RenderMs)} |")
            .AppendLine(c, $"| The rest of `IssueAsync` (attempt count, look-ups, the mail row, `MailKick.Now()`, the item marked done) | {s.IssueRestMs:0.00} | {Share(s.IssueRestMs)} |")
            .AppendLine(c, $"| — of which `MailKick.Now()`: enqueuing a `MailDispatchJob` in Hangfire's SQLite storage (timed alone) | {s.MailKickMs:0.00} | {Share(s.MailKickMs)} |")
            .AppendLine(c, $"| **Total** | **{total:0.00}** | 100 % |")
            .AppendLine()
            .AppendLine(c, $"For scale, one INSERT of the same PDF as a blob into a bare table of the same database: {s.StoreOnlyMs:0.00} ms.")
            .AppendLine();

        var one = run.OneWorker;
        var four = run.FourWorkers;
        var h = run.Hangfire;
        var jobsPerCertificate = (double)h.JobsSucceeded / Math.Max(1, h.Done);
        var drained = h.MailsDrainedSeconds is { } d ? string.Create(c, $"{d:0.0} s after the start.") : "had not been written when the benchmark stopped waiting.";
        md.AppendLine(c, $"- One worker: {one.PerSecond:0.0} certificates/s, {1000 / one.PerSecond:0.0} ms each, {one.CpuMsPerCertificate:0.0} ms of CPU each ({one.ProcessCores:0.00} cores busy):")
            .AppendLine(c, $"  a certificate costs about {1000 / one.PerSecond / run.Baselines.BarePdfMs:0} bare PDFs' time and {1000 / one.PerSecond / run.Baselines.Rs256Ms:0.0} RS256 signatures'.")
            .AppendLine(c, $"- Four workers: {four.PerSecond:0.0}/s, {four.PerSecond / one.PerSecond:0.00}× one worker, with {four.ProcessCores:0.00} of {run.Machine.Cores} cores busy and {four.CpuMsPerCertificate:0.0} ms of CPU per certificate;")
            .AppendLine(c, $"  at {run.Machine.Cores} cores fully used, that CPU cost allows at most {run.Machine.Cores * 1000 / four.CpuMsPerCertificate:0} certificates/s.")
            .AppendLine(c, $"- Through Hangfire: {h.PerSecond:0.0}/s, {h.PerSecond / four.PerSecond:0.00}× the issuing work alone with as many workers; {h.JobsSucceeded:N0} jobs succeeded in the window,")
            .AppendLine(c, $"  {jobsPerCertificate:0.00} per certificate (a `CertificateJob` each, the batch job, and a `MailDispatchJob` for each `MailKick.Now()`). The")
            .AppendLine(c, $"  first item was done {h.FirstDoneSeconds:0.00} s after the start, all {h.Items:N0} jobs were enqueued by the batch job after {h.AllEnqueuedSeconds:0.00} s.")
            .AppendLine(c, $"  Hangfire alone runs {run.Jobs.JobsPerSecond:0.0} no-op jobs/s on this storage: {jobsPerCertificate:0.00} jobs per certificate cap the rate at about")
            .AppendLine(c, $"  {run.Jobs.JobsPerSecond / jobsPerCertificate:0} certificates/s before anything is minted or rendered. {CpuOf(h)}")
            .AppendLine(c, $"- Mail: {h.MailsSentAtEnd:N0} of {h.MailsQueued:N0} mails were in the pickup folder when the last certificate was done; all of them {drained}")
            .AppendLine();
    }

    /// <summary>What stands between the measured rates and the target, from this run's figures and a profile of the path.</summary>
    private static void AppendProposals(StringBuilder md, CertificateRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var (four, what, h, s) = (run.FourWorkers, run.FourWorkersBusyTimeout, run.Hangfire, run.Breakdown);
        var collisions = four.StatusListCollisions + what.StatusListCollisions + run.OneWorker.StatusListCollisions;
        md.AppendLine("### What is slow, and proposals").AppendLine()
            .AppendLine("A profile of this section (`dotnet-trace collect -p PID --profile dotnet-sampled-thread-time --format Speedscope` on the")
            .AppendLine("`--certificates-child` process, 25 s during the Hangfire batch, on 2026-11-29) found the certificate jobs")
            .AppendLine("spending 49 % of their time in `Thread.Sleep` inside `SqliteDataReader.NextResult`, the mail dispatch jobs 66 %, and")
            .AppendLine("Hangfire's workers about a third of theirs in the SQLite storage's own state changes and distributed locks. Rendering was")
            .AppendLine("19 % of the certificate jobs' time. In order of effect:")
            .AppendLine()
            .AppendLine(c, $"1. **SQLite lock waits of 150 ms.** The app's connections (`StorageRegistration`: `Default Timeout=30`, no busy handler)")
            .AppendLine("   meet a database locked by another writer the way Microsoft.Data.Sqlite does: sleep 150 ms, try again. Every certificate")
            .AppendLine("   commits 5 times (attempt count, mint, PDF, mail row, item done) and the dispatcher once per mail, so with 4 workers they")
            .AppendLine(c, $"   collide constantly: 4 workers issue {four.PerSecond:0.0}/s with {four.ProcessCores:0.00} of {run.Machine.Cores} cores busy and a p99 of {four.P99Ms:0} ms. The what-if above — the same")
            .AppendLine(c, $"   code with `PRAGMA busy_timeout = 30000` run on each connection the app opens, so SQLite's own handler waits a millisecond")
            .AppendLine(c, $"   or a few — issues **{what.PerSecond:0.0}/s** ({what.PerSecond / four.PerSecond:0.00}×) on {what.ProcessCores:0.00} cores. Proposal: that interceptor (`BusyTimeout` in")
            .AppendLine("   `CertificateSetup.cs` shows it) in `AddLearningStorage` for the SQLite provider; it helps every writer of the app.")
            .AppendLine(c, $"2. **Two Hangfire jobs per certificate.** Each `IssueAsync` ends with `MailKick.Now()`, which enqueues a `MailDispatchJob`")
            .AppendLine(c, $"   ({s.MailKickMs:0.00} ms alone), so a batch of 1,000 runs {h.JobsSucceeded:N0} jobs; Hangfire.Storage.SQLite ran {run.Jobs.JobsPerSecond:0} no-op jobs/s here,")
            .AppendLine(c, $"   which caps the batch at about {run.Jobs.JobsPerSecond / Math.Max(1, (double)h.JobsSucceeded / Math.Max(1, h.Done)):0}/s with no work at all. Proposals: kick the dispatcher once per batch")
            .AppendLine("   (when the batch's last item finishes, or debounce `MailKick.Now()` to one enqueue a second — a dispatch already queued")
            .AppendLine("   sends every pending row); and give a `CertificateJob` a slice of items (e.g. 25) instead of one, each item still")
            .AppendLine("   checked and finished on its own, so that a retry or a second run repeats nothing — 40 jobs instead of 1,000.")
            .AppendLine(c, $"3. **Five commits per certificate**: the attempt count is an UPDATE")
            .AppendLine(c, $"   and a SELECT, then the mint's transaction, the PDF's INSERT ({s.StoreOnlyMs:0.00} ms for the blob alone), the mail row, the")
            .AppendLine("   item's UPDATE. Proposal: store the PDF, queue the mail and mark the item done in one transaction (they are idempotent")
            .AppendLine("   together), and count the attempt inside the mint's transaction.")
            .AppendLine(c, $"4. **Work under the write lock.** The mint's transaction (`BEGIN IMMEDIATE`) holds SQLite's only write lock while the")
            .AppendLine(c, $"   credential is signed ({s.SignMs:0.00} ms of RS256-3072) and the fonts are checked ({s.CheckFontsMs:0.00} ms): every other worker waits for it. Proposal:")
            .AppendLine("   read and sign before the transaction, and inside it only re-check that nothing changed and INSERT.")
            .AppendLine(c, $"5. **Rendering, {s.RenderMs:0.0} ms** against {run.Baselines.BarePdfMs:0.0} ms for a bare page: the text {s.DrawAllMs - s.DrawNoTextMs:0.0} ms (HarfBuzz shaping, the app's font subsets")
            .AppendLine(c, $"   — each keeps the whole font's `hmtx`, `loca` and `cmap`, about 13 KB deflated per font, 4–5 fonts per PDF — and Skia embedding")
            .AppendLine(c, $"   them), the logo {s.DrawAllMs - s.DrawNoImageMs:0.0} ms (Skia re-encodes its 256×256 RGBA pixels and alpha mask with zlib in every PDF; a")
            .AppendLine(c, $"   PNG cannot pass through), the QR code {s.DrawAllMs - s.DrawNoQrMs:0.0} ms (one rectangle per dark module in the path). Proposals: a logo at")
            .AppendLine("   half the resolution (128 px is 150 dpi at 22 mm: a quarter of the pixels to deflate), or composed once onto the page colour")
            .AppendLine("   and handed to Skia as a JPEG, which it embeds as it is (valid when nothing is drawn under it); subset")
            .AppendLine("   fonts cached per face (the template's own text is the same on every certificate); the QR path as one rectangle per")
            .AppendLine("   run of dark modules in a row.")
            .AppendLine(c, $"6. **Status-list index collisions grow with every certificate.** Indexes are drawn at random from 131,072; this run's")
            .AppendLine(c, $"   cohorts retried {collisions} mints on a taken index with a few thousand certificates in the database. `MintAsync` gives up")
            .AppendLine("   after 5 tries: with 60,000 certificates issued about 2 % of mints would fail, with 90,000 about 15 %. Proposal: draw from the free")
            .AppendLine("   indexes (a shuffled sequence, or a table of unused ones), or grow the list.")
            .AppendLine()
            .AppendLine("Changed in this round (small and safe): `CertificateFonts.FaceFor` no longer asks the disk whether a font file exists for")
            .AppendLine("every character of every certificate once its face is open (the `lstat` was 7 % of rendering and most of the font check).")
            .AppendLine();
    }

    private static string CpuOf(HangfireIssueRun h) =>
        string.Create(CultureInfo.InvariantCulture, $"The process used {h.ProcessCores:0.00} cores, {h.CpuMsPerCertificate:0.0} ms of CPU per certificate (mail dispatch included).");

    private static void AppendPdfs(StringBuilder md, CertificateRun run)
    {
        var c = CultureInfo.InvariantCulture;
        md.AppendLine("### PDF size by script").AppendLine()
            .AppendLine(c, $"The PDFs the one-worker cohort stored ({run.OneWorker.Done:N0}), by the script of the holder's name; the largest of each is inspected with")
            .AppendLine("`pdffonts` (poppler-utils), and each font's bytes are those of the PDF streams its font object refers to (the font file,")
            .AppendLine("the ToUnicode map, Type 3 glyph procedures). \"Whole font\" is that name alone on a bare Skia page in the typeface the app")
            .AppendLine("chose for it, handed to Skia whole (as the app does for fonts it cannot subset).")
            .AppendLine()
            .AppendLine("| Script | PDFs | Smallest | Mean | **Largest** | Largest for | Fonts' streams | Name alone, whole font |")
            .AppendLine("|---|--:|--:|--:|--:|---|--:|--:|");
        foreach (var p in run.Pdfs)
            md.AppendLine(c, $"| {p.Script} | {p.Count:N0} | {p.MinBytes:N0} | {p.MeanBytes:N0} | **{p.MaxBytes:N0}** | {p.SampleName} | {p.FontStreamBytes:N0} | {p.FullFontNameLineBytes:N0} ({p.FullFontFile}) |");
        md.AppendLine();
        foreach (var p in run.Pdfs)
        {
            md.AppendLine(c, $"{p.Script} ({p.SampleName}, {p.SampleBytes:N0} bytes){p.PdfFontsError}:").AppendLine()
                .AppendLine("| Font (pdffonts) | Type | Encoding | Embedded | Subset | ToUnicode | Stream bytes |")
                .AppendLine("|---|---|---|---|---|---|--:|");
            foreach (var f in p.Fonts)
                md.AppendLine(c, $"| {f.Name} | {f.Type} | {f.Encoding} | {YesNo(f.Embedded)} | {YesNo(f.Subset)} | {YesNo(f.Unicode)} | {f.StreamBytes:N0} |");
            md.AppendLine();
        }
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}
