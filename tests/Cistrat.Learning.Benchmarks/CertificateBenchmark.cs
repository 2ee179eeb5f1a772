using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Certificates;
using Cistrat.Learning.Web.Features.Certificates.Pdf;
using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Infrastructure.Jobs;
using Hangfire;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Cistrat.Learning.Benchmarks;

/// <summary>One cohort issued by calling <see cref="CertificateIssuer.IssueAsync"/> from parallel workers, without the job system.</summary>
internal sealed record IssueRun(
    string Name, int CohortId, int Workers, int Items, int Done, int Failed, int Certificates, int Files, int MailsQueued,
    double Seconds, double ProcessCores, double OtherCores, double P50Ms, double P99Ms, double MaxMs,
    int Gen0, int Gen1, int Gen2, double AllocatedMb, int FailedSaves, int StatusListCollisions, IReadOnlyList<string> Errors)
{
    public double PerSecond => Done / Seconds;

    /// <summary>CPU time of the whole process per certificate (workers, SQLite, GC).</summary>
    public double CpuMsPerCertificate => ProcessCores * Seconds * 1000 / Math.Max(1, Done);

    public bool Complete => Done == Items && Failed == 0 && Certificates == Items && Files == Items && MailsQueued == Items;
}

/// <summary>Milliseconds per certificate of each step, one at a time on one thread (a cohort of its own).</summary>
internal sealed record IssueBreakdown(
    int Items, double MintMs, double CheckFontsMs, double SignMs, double EnsureFileMs, double RenderMs, double LayoutMs, double QrMs, double IssueRestMs,
    double StoreOnlyMs, double MailKickMs, double DrawAllMs, double DrawNoImageMs, double DrawNoQrMs, double DrawNoTextMs, double DrawEmptyMs)
{
    /// <summary>The mint transaction without the font check and the signing inside it: reads, the INSERTs, the commit.</summary>
    public double MintWithoutSignMs => MintMs - SignMs - CheckFontsMs;

    public double TotalMs => MintMs + EnsureFileMs + IssueRestMs;
}

/// <summary>What the same run measures without the app: the least a PDF and a signature cost on this machine.</summary>
internal sealed record CertificateBaselines(
    int Iterations, double BarePdfMs, double BarePdfPerSecond4, int BarePdfBytes, double WholeFontPdfMs, int WholeFontPdfBytes,
    double Rs256Ms, double Rs256PerSecond4, int KeyBits, int SigningInputBytes);

/// <summary>A batch through the app's own Hangfire server: started as the coordinator's page starts it, timed to its last item.</summary>
internal sealed record HangfireIssueRun(
    int Workers, int Items, int Done, int Failed, int Certificates, int Files,
    double Seconds, double FirstDoneSeconds, double AllEnqueuedSeconds, double ProcessCores, double OtherCores,
    long JobsSucceeded, int MailsQueued, int MailsSentAtEnd, double? MailsDrainedSeconds, int PickupFiles, int FailedSaves, int StatusListCollisions,
    IReadOnlyList<string> Errors)
{
    public double PerSecond => Done / Seconds;

    public double CpuMsPerCertificate => ProcessCores * Seconds * 1000 / Math.Max(1, Done);

    public bool Complete => Done == Items && Failed == 0 && Certificates == Items && Files == Items;
}

/// <summary>One font of a PDF as pdffonts lists it, with the bytes of the streams it refers to (font file, ToUnicode, glyph procedures).</summary>
internal sealed record PdfFontRow(string Name, string Type, string Encoding, bool Embedded, bool Subset, bool Unicode, int ObjectId, long StreamBytes);

/// <summary>The PDFs of one script's names in a cohort, and its largest one inspected.</summary>
internal sealed record PdfSizes(
    string Script, int Count, int MinBytes, int MeanBytes, int MaxBytes, string SampleName, int SampleBytes,
    IReadOnlyList<PdfFontRow> Fonts, long FontStreamBytes, int FullFontNameLineBytes, string FullFontFile, string PdfFontsError)
{
    /// <summary>The same name in a bare Skia PDF with the whole font file handed to Skia (no subsetting by the app).</summary>
    public int FullFontSavedBytes => FullFontNameLineBytes - SampleBytes;
}

/// <summary>Everything the certificates section measured.</summary>
internal sealed record CertificateRun(
    DateTimeOffset StartedAt, double DurationSeconds, MachineInfo Machine, bool Quick, string? Only, int Cohort, bool ServerGc, string RuntimeConfig,
    IReadOnlyList<string> OtherAppProcesses, CertificateBaselines Baselines, IssueRun WarmUp, IssueRun OneWorker, IssueRun FourWorkers, IssueRun FourWorkersBusyTimeout,
    IssueBreakdown Breakdown, IReadOnlyList<PdfSizes> Pdfs, JobBaseline Jobs, HangfireIssueRun HangfireWarmUp, HangfireIssueRun Hangfire);

/// <summary>
/// Issue #7's benchmark: certificates per second for a cohort of 1,000 (mint, sign, render, store, queue the mail)
/// through the app's own code, and the PDFs' sizes per script. It runs in a child process started under the web app's
/// runtime configuration (server GC, ICU cultures, as the app runs), which hosts the real app on a SQLite file:
/// first without a job server, to time <see cref="CertificateIssuer.IssueAsync"/> called by 1 and by 4 parallel
/// workers, then with the app's Hangfire server, to time a batch from the coordinator's start to its last item.
/// </summary>
internal static class CertificateBenchmark
{
    public const string Switch = "--certificates-child";

    /// <summary>The issue's figures: "a cohort of 1,000", "at least 50 certificates/s", "every PDF under 300 KB".</summary>
    public const int TargetCohort = 1000;

    public const double TargetPerSecond = 50;

    /// <summary>300 KB read as 300,000 bytes, the stricter reading (as the other sections read KB).</summary>
    public const int MaxPdfBytes = 300_000;

    public static int CohortFor(bool quick) => quick ? 200 : TargetCohort;

    private static int WarmUpFor(bool quick) => quick ? 40 : 100;

    private static int BreakdownFor(bool quick) => quick ? 40 : 200;

    private static int BaselineIterationsFor(bool quick) => quick ? 100 : 400;

    private static int JobBaselineFor(bool quick) => quick ? 300 : 1000;

    private static readonly TimeSpan BatchTimeout = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan MailTimeout = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The parent's part: the child process under the app's runtime configuration, and its result.</summary>
    public static async Task<CertificateRun> RunAsync(RepoLayout repo, BenchmarkOptions options, CancellationToken ct)
    {
        var runtimeConfig = Path.ChangeExtension(repo.WebAssembly, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig))
            throw new BenchmarkException($"The web app is not built at {repo.WebAssembly}: run the benchmark with `dotnet run -c Release`, which builds it.");
        var result = Path.Combine(Path.GetTempPath(), $"cistrat-certificates-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        // The app's own runtime configuration: server GC and ICU cultures (this program runs invariant, for its report).
        foreach (var arg in new[] { "exec", "--runtimeconfig", runtimeConfig, typeof(CertificateBenchmark).Assembly.Location, Switch, result })
            start.ArgumentList.Add(arg);
        if (options.Quick)
            start.ArgumentList.Add("--quick");
        if (options.Only is { } only)
            start.ArgumentList.Add(only);
        var others = OtherAppProcesses();
        foreach (var other in others)
            Console.WriteLine($"Certificates: another process of the project is running and shares the cores: {other}");
        Console.WriteLine("Certificates: starting the measuring process (the app's runtime configuration) ...");
        using var child = Process.Start(start) ?? throw new BenchmarkException("dotnet could not be started.");
        try
        {
            await child.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        if (child.ExitCode != 0 || !File.Exists(result))
            throw new BenchmarkException($"The certificates measurement failed (exit code {child.ExitCode}); its output is above.");
        try
        {
            var run = JsonSerializer.Deserialize<CertificateRun>(await File.ReadAllTextAsync(result, ct))
                ?? throw new BenchmarkException("The certificates measurement wrote no result.");
            return run with { OtherAppProcesses = others };
        }
        finally
        {
            File.Delete(result);
        }
    }

    /// <summary>The child's part: <c>--certificates-child RESULT.json [--quick] [section]</c>.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args.Length == 0)
            return 2;
        var quick = args.Contains("--quick");
        var only = args.Skip(1).FirstOrDefault(a => a != "--quick");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            var run = await MeasureAsync(RepoLayout.Find(), quick, only, cancel.Token);
            await File.WriteAllTextAsync(args[0], JsonSerializer.Serialize(run), cancel.Token);
            return 0;
        }
        catch (BenchmarkException e)
        {
            Console.Error.WriteLine($"The measurement failed: {e.Message}");
            return 1;
        }
    }

    private static async Task<CertificateRun> MeasureAsync(RepoLayout repo, bool quick, string? only, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        var cohortSize = CohortFor(quick);
        var data = Directory.CreateTempSubdirectory("cistrat-certificates-bench-");
        // The Hangfire part on a data folder of its own: the first part's MailKick.Now() calls left dispatch jobs queued in its jobs.db.
        var hangfireData = Directory.CreateTempSubdirectory("cistrat-certificates-hangfire-bench-");
        Console.WriteLine($"Certificates: server GC {GCSettings.IsServerGC}, culture data {(CultureInfo.GetCultureInfo("ar").TextInfo.IsRightToLeft ? "ICU" : "invariant")}; data in {data.FullName}");
        try
        {
            // First, before any host of the app has made Hangfire's process-wide activator and filters its own.
            Console.WriteLine($"Hangfire alone: {JobBaselineFor(quick):N0} no-op jobs on SQLite storage in this process ...");
            var jobs = await HangfireBaseline.RunAsync(JobBaselineFor(quick), ct);
            Console.WriteLine($"Hangfire alone: {jobs.JobsPerSecond:0.0} jobs/s");

            CertificateBaselines baselines;
            IssueRun warmUp, one, four;
            IssueBreakdown breakdown;
            IReadOnlyList<PdfSizes> pdfs;
            await using (var app = new CertificateApp(repo, data.FullName, runJobServer: false))
            {
                var services = app.Start();
                baselines = await BaselinesAsync(services, BaselineIterationsFor(quick), ct);
                Console.WriteLine($"Baselines: bare Skia PDF {baselines.BarePdfMs:0.000} ms ({baselines.BarePdfBytes:N0} bytes; {baselines.BarePdfPerSecond4:0}/s on 4 threads); "
                    + $"RS256 ({baselines.KeyBits} bits) {baselines.Rs256Ms:0.000} ms ({baselines.Rs256PerSecond4:0}/s on 4 threads)");

                warmUp = await IssueCohortAsync(services, "Warm-up", WarmUpFor(quick), workers: 4, ct);
                Print(warmUp);
                one = await IssueCohortAsync(services, "One worker", cohortSize, workers: 1, ct);
                Print(one);
                four = await IssueCohortAsync(services, "Four workers", cohortSize, workers: 4, ct);
                Print(four);
                breakdown = await BreakdownAsync(services, BreakdownFor(quick), ct);
                Console.WriteLine($"Steps (ms per certificate, one thread): mint {breakdown.MintMs:0.00} (of which signing {breakdown.SignMs:0.00}), "
                    + $"render + store {breakdown.EnsureFileMs:0.00} (render alone {breakdown.RenderMs:0.00}), the rest of IssueAsync {breakdown.IssueRestMs:0.00} (MailKick.Now() alone {breakdown.MailKickMs:0.00})");
                pdfs = await PdfSizesAsync(services, one.CohortId, ct);
                foreach (var pdf in pdfs)
                    Console.WriteLine($"PDF, {pdf.Script} names: {pdf.MinBytes:N0}–{pdf.MaxBytes:N0} bytes; fonts: {string.Join(", ", pdf.Fonts.Select(f => $"{f.Name} ({f.Type}, {f.StreamBytes:N0} bytes)"))}{pdf.PdfFontsError}");
            }


            HangfireIssueRun hangfireWarmUp, hangfire;
            await using (var app = new CertificateApp(repo, hangfireData.FullName, runJobServer: true))
            {
                var services = app.Start();
                hangfireWarmUp = await IssueThroughHangfireAsync(services, hangfireData.FullName, "Hangfire warm-up", WarmUpFor(quick), ct);
                Print("Through Hangfire (warm-up)", hangfireWarmUp);
                hangfire = await IssueThroughHangfireAsync(services, hangfireData.FullName, "Hangfire", cohortSize, ct);
                Print("Through Hangfire", hangfire);
            }

            // The what-if: the same four workers with SQLite's own busy handler on the app's connections.
            IssueRun busyTimeout;
            await using (var app = new CertificateApp(repo, data.FullName, runJobServer: false, nativeBusyTimeout: true))
            {
                var services = app.Start();
                await IssueCohortAsync(services, "Busy warm-up", WarmUpFor(quick), workers: 4, ct);
                busyTimeout = await IssueCohortAsync(services, "Four workers busy_timeout", cohortSize, workers: 4, ct);
                Print(busyTimeout);
            }

            return new CertificateRun(
                startedAt, clock.Elapsed.TotalSeconds, machine, quick, only, cohortSize, GCSettings.IsServerGC, "the web app's (Cistrat.Learning.Web.runtimeconfig.json)",
                [], baselines, warmUp, one, four, busyTimeout, breakdown, pdfs, jobs, hangfireWarmUp, hangfire);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                data.Delete(recursive: true);
                hangfireData.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    /// <summary>
    /// A bare Skia PDF (an A4 page with one line of text in the certificates' sans font, nothing else) and an RS256
    /// signature with the app's own key over a real credential's signing input: each on one thread, then on 4.
    /// </summary>
    private static async Task<CertificateBaselines> BaselinesAsync(IServiceProvider services, int iterations, CancellationToken ct)
    {
        var keys = services.GetRequiredService<CredentialKeyRing>();
        var cohort = await CertificateSetup.SeedAsync(services, "Baseline", 1, ct);
        var (_, items) = await CertificateSetup.StartBatchAsync(services, cohort, ct);
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<CertificateIssuer>().IssueAsync(items[0], ct);
        string jwt;
        await using (var scope = services.CreateAsyncScope())
            jwt = await scope.ServiceProvider.GetRequiredService<LearningDbContext>().Certificates.AsNoTracking().Where(c => c.CohortId == cohort.CohortId).Select(c => c.CredentialJwt).SingleAsync(ct);
        var signingInput = Encoding.ASCII.GetBytes(jwt[..jwt.LastIndexOf('.')]);

        // The line's font cut down to its glyphs once, with the app's subsetter, as the app embeds fonts: handed whole, Skia
        // embeds (and deflates) the entire font file in every document.
        var fontFile = CertificateFontOptions.DefaultSans[0];
        using var whole = SKTypeface.FromFile(fontFile) ?? throw new BenchmarkException($"{fontFile} is missing: install fonts-noto-core.");
        ushort[] glyphs;
        using (var font = new SKFont(whole, 24))
            glyphs = font.GetGlyphs(BareLine);
        var subsetter = TrueTypeSubsetter.TryCreate(await File.ReadAllBytesAsync(fontFile, ct)) ?? throw new BenchmarkException($"{fontFile} is not a TrueType font.");
        using var subsetData = SKData.CreateCopy(subsetter.Subset(glyphs));
        using var typeface = SKTypeface.FromData(subsetData) ?? throw new BenchmarkException("Skia cannot read the subset font.");
        var bytes = BarePdf(typeface).Length;
        var pdf = Time(iterations, () => BarePdf(typeface));
        var pdf4 = Parallel4(iterations, () => BarePdf(typeface));
        var wholeBytes = BarePdf(whole).Length;
        var wholePdf = Time(Math.Max(10, iterations / 20), () => BarePdf(whole));
        byte[] Sign() => keys.Signing.Rsa.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var rsa = Time(iterations, Sign);
        var rsa4 = Parallel4(iterations, Sign);
        return new CertificateBaselines(iterations, pdf, pdf4, bytes, wholePdf, wholeBytes, rsa, rsa4, keys.Signing.Rsa.KeySize, signingInput.Length);
    }

    private const string BareLine = "Certificate of completion";

    /// <summary>What the baseline draws: an A4 landscape page with one line of text.</summary>
    private static byte[] BarePdf(SKTypeface typeface)
    {
        using var output = new MemoryStream();
        using (var document = SKDocument.CreatePdf(output))
        {
            var canvas = document.BeginPage(841.89f, 595.28f);
            using var font = new SKFont(typeface, 24);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(BareLine, 100, 300, SKTextAlign.Left, font, paint);
            document.EndPage();
            document.Close();
        }

        return output.ToArray();
    }

    /// <summary>Milliseconds per call on this thread, after a tenth as many calls to warm up.</summary>
    private static double Time<T>(int iterations, Func<T> action)
    {
        for (var i = 0; i < iterations / 10; i++)
            action();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
            action();
        return clock.Elapsed.TotalMilliseconds / iterations;
    }

    /// <summary>Calls per second from 4 threads at once (as many as the job server's workers).</summary>
    private static double Parallel4<T>(int iterations, Func<T> action)
    {
        var clock = Stopwatch.StartNew();
        Parallel.For(0, iterations, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => action());
        return iterations / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// A new cohort of <paramref name="size"/> trainees, its batch recorded as the coordinator's page records it, and
    /// every item issued by <see cref="CertificateIssuer.IssueAsync"/> in a DI scope of its own (as Hangfire's activator
    /// gives each job), by <paramref name="workers"/> workers taking the next item as they finish one.
    /// </summary>
    private static async Task<IssueRun> IssueCohortAsync(IServiceProvider services, string name, int size, int workers, CancellationToken ct)
    {
        var cohort = await CertificateSetup.SeedAsync(services, name, size, ct);
        var (batchId, items) = await CertificateSetup.StartBatchAsync(services, cohort, ct);
        var queue = new Queue<int>(items);
        var latencies = new double[items.Count];
        var statuses = new BatchItemStatus[items.Count];
        var next = -1;
        GC.Collect();
        var (gen0, gen1, gen2, allocated) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
        var saves = SaveFailures.Instance.Counts;
        var cpu = CpuCounters.Read();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < items.Count; i = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                await using var scope = services.CreateAsyncScope();
                statuses[i] = await scope.ServiceProvider.GetRequiredService<CertificateIssuer>().IssueAsync(items[i], ct);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }, ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        var (cores, others) = cpu.CoresSince(seconds);
        var (gc0, gc1, gc2, alloc) = (GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2, (GC.GetTotalAllocatedBytes() - allocated) / 1048576.0);
        var (certificates, files, mails, errors) = await CountAsync(services, batchId, cohort.CohortId, ct);
        Array.Sort(latencies);
        return new IssueRun(
            name, cohort.CohortId, workers, items.Count, statuses.Count(s => s == BatchItemStatus.Done), statuses.Count(s => s == BatchItemStatus.Failed),
            certificates, files, mails, seconds, cores, others, Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1],
            gc0, gc1, gc2, alloc, SaveFailures.Instance.Counts.All - saves.All, SaveFailures.Instance.Counts.StatusListIndex - saves.StatusListIndex, errors);
    }

    /// <summary>
    /// The steps of issuing one at a time on one thread, for a cohort of its own: the mint (with the signing timed
    /// inside it), the PDF rendered and stored, then the PDF rendered again alone (and its layout and QR matrix alone),
    /// and finally IssueAsync, which finds both done and does the rest (the attempt count, the look-ups, the mail row,
    /// the item marked done). Storing alone is one more INSERT of the same PDF into a table of its own.
    /// </summary>
    private static async Task<IssueBreakdown> BreakdownAsync(IServiceProvider services, int size, CancellationToken ct)
    {
        var cohort = await CertificateSetup.SeedAsync(services, "Breakdown", size, ct);
        var (_, items) = await CertificateSetup.StartBatchAsync(services, cohort, ct);
        var signer = services.GetRequiredService<CredentialSigner>();
        var documents = services.GetRequiredService<CertificateDocuments>();
        var issuerUrls = services.GetRequiredService<CredentialIssuer>();
        var renderer = services.GetRequiredService<CertificatePdfRenderer>();
        double mint = 0, check = 0, sign = 0, ensure = 0, render = 0, layout = 0, qr = 0, rest = 0, store = 0;
        double all = 0, noImage = 0, noQr = 0, noText = 0, empty = 0;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
            await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS BenchmarkPdfCopies (Id INTEGER PRIMARY KEY, Pdf BLOB NOT NULL)", ct);
        }

        foreach (var item in items)
        {
            await using var scope = services.CreateAsyncScope();
            var certificates = scope.ServiceProvider.GetRequiredService<CertificateService>();
            var issuer = scope.ServiceProvider.GetRequiredService<CertificateIssuer>();
            var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
            var started = Stopwatch.GetTimestamp();
            // As IssueAsync mints: the fonts checked, then the credential signed, inside the mint's transaction.
            var outcome = await certificates.MintAsync(item, (c, f) =>
            {
                var s = Stopwatch.GetTimestamp();
                documents.CheckFonts(c);
                check += Stopwatch.GetElapsedTime(s).TotalMilliseconds;
                s = Stopwatch.GetTimestamp();
                var token = signer.Sign(c, f);
                sign += Stopwatch.GetElapsedTime(s).TotalMilliseconds;
                return token;
            }, ct);
            mint += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var certificate = outcome.Certificate ?? throw new BenchmarkException($"Minting item {item} failed: {outcome.Error}");

            started = Stopwatch.GetTimestamp();
            var pdf = await issuer.EnsureFileAsync(certificate, ct);
            ensure += Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            started = Stopwatch.GetTimestamp();
            documents.RenderPdf(certificate);
            render += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            documents.Layout(certificate);
            layout += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            CertificatePdfRenderer.QrMatrix(issuerUrls.VerifyUrl(certificate.Serial));
            qr += Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            // The renderer alone on the same layout, and on the layout less one kind of element: what each kind costs.
            var (template, drawables) = documents.Layout(certificate);
            var info = new PdfInfo(certificate.HolderName, "Benchmark", certificate.CourseTitle, certificate.IssuedAt);
            double Draw(Func<Drawable, bool> keep)
            {
                var kept = drawables.Where(keep).ToList();
                var s = Stopwatch.GetTimestamp();
                renderer.Render(template, kept, info);
                return Stopwatch.GetElapsedTime(s).TotalMilliseconds;
            }

            all += Draw(_ => true);
            noImage += Draw(d => d is not ImageDrawable);
            noQr += Draw(d => d is not QrDrawable);
            noText += Draw(d => d is not TextDrawable);
            empty += Draw(_ => false);

            started = Stopwatch.GetTimestamp();
            await db.Database.ExecuteSqlAsync($"INSERT INTO BenchmarkPdfCopies (Pdf) VALUES ({pdf})", ct);
            store += Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            started = Stopwatch.GetTimestamp();
            var status = await issuer.IssueAsync(item, ct);
            rest += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (status != BatchItemStatus.Done)
                throw new BenchmarkException($"Item {item} ended {status} in the breakdown.");
        }

        // What IssueAsync's MailKick.Now() costs: a Hangfire enqueue of a MailDispatchJob (this host runs no job server,
        // so they stay queued in its jobs.db, which the Hangfire part of the run does not use).
        var kick = services.GetRequiredService<MailKick>();
        var kickStarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < items.Count; i++)
            kick.Now();
        var kickMs = Stopwatch.GetElapsedTime(kickStarted).TotalMilliseconds;

        var n = items.Count;
        return new IssueBreakdown(
            n, mint / n, check / n, sign / n, ensure / n, render / n, layout / n, qr / n, rest / n, store / n, kickMs / n,
            all / n, noImage / n, noQr / n, noText / n, empty / n);
    }

    /// <summary>
    /// A new cohort's batch through the app's Hangfire server: recorded and handed to the job server as the
    /// coordinator's "Issue" button does (<c>StartBatchAsync</c>, then <see cref="CertificateBatchJob.Enqueue"/>); the
    /// batch job enqueues one <see cref="CertificateJob"/> per trainee, and each queues its mail and kicks the mail
    /// dispatcher, which writes .eml files to the pickup folder on the same workers. Timed from the start to the last
    /// item's FinishedAt; then the mail is waited for, and reported apart.
    /// </summary>
    private static async Task<HangfireIssueRun> IssueThroughHangfireAsync(IServiceProvider services, string dataPath, string name, int size, CancellationToken ct)
    {
        var cohort = await CertificateSetup.SeedAsync(services, name, size, ct);
        var workers = services.GetRequiredService<IOptions<JobsOptions>>().Value.Workers;
        var monitoring = services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var succeededBefore = monitoring.SucceededListCount();
        var pickup = Path.Combine(dataPath, "mail-pickup");
        int Emls() => Directory.Exists(pickup) ? Directory.EnumerateFiles(pickup, "*.eml", SearchOption.AllDirectories).Count() : 0;
        var emlsBefore = Emls();
        GC.Collect();
        var saves = SaveFailures.Instance.Counts;
        var cpu = CpuCounters.Read();
        var startedUtc = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var (batchId, items) = await CertificateSetup.StartBatchAsync(services, cohort, ct);
        CertificateBatchJob.Enqueue(services.GetRequiredService<IBackgroundJobClient>(), batchId);

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var pending = items.Count;
        while (pending > 0)
        {
            if (clock.Elapsed > BatchTimeout)
                throw new BenchmarkException($"{name}: {pending} of {items.Count} items were still pending after {BatchTimeout.TotalMinutes:0} min.");
            await Task.Delay(PollInterval, ct);
            pending = await db.CertificateBatchItems.AsNoTracking().CountAsync(i => i.BatchId == batchId && i.Status == BatchItemStatus.Pending, ct);
        }

        var (cores, others) = cpu.CoresSince(clock.Elapsed.TotalSeconds);
        var finished = await db.CertificateBatchItems.AsNoTracking().Where(i => i.BatchId == batchId).Select(i => i.FinishedAt).ToListAsync(ct);
        var enqueuedAt = await db.CertificateBatches.AsNoTracking().Where(b => b.Id == batchId).Select(b => b.EnqueuedAt).SingleAsync(ct);
        var last = finished.Max()!.Value;
        var first = finished.Min()!.Value;
        var seconds = (last - startedUtc).TotalSeconds;
        var jobs = monitoring.SucceededListCount() - succeededBefore;
        var (certificates, files, mails, errors) = await CountAsync(services, batchId, cohort.CohortId, ct);
        var sentAtEnd = await SentMailsAsync(db, cohort.CohortId, ct);
        var failedSaves = (SaveFailures.Instance.Counts.All - saves.All, SaveFailures.Instance.Counts.StatusListIndex - saves.StatusListIndex);

        double? drained = null;
        while (clock.Elapsed < BatchTimeout + MailTimeout)
        {
            if (await SentMailsAsync(db, cohort.CohortId, ct) >= mails)
            {
                drained = (DateTime.UtcNow - startedUtc).TotalSeconds;
                break;
            }

            await Task.Delay(PollInterval * 4, ct);
        }

        var emls = Emls() - emlsBefore;
        var done = await db.CertificateBatchItems.AsNoTracking().CountAsync(i => i.BatchId == batchId && i.Status == BatchItemStatus.Done, ct);
        return new HangfireIssueRun(
            workers, items.Count, done, items.Count - done, certificates, files, seconds, (first - startedUtc).TotalSeconds,
            enqueuedAt is { } e ? (e - startedUtc).TotalSeconds : double.NaN, cores, others, jobs, mails, sentAtEnd, drained, emls, failedSaves.Item1, failedSaves.Item2, errors);
    }

    private static Task<int> SentMailsAsync(LearningDbContext db, int cohortId, CancellationToken ct)
    {
        var keys = db.Certificates.Where(c => c.CohortId == cohortId).Select(c => "certificate:" + c.Id);
        return db.OutgoingMail.AsNoTracking().CountAsync(m => keys.Contains(m.Key) && m.Status == MailStatus.Sent, ct);
    }

    /// <summary>What a batch left behind: certificates, stored PDFs and queued mails of its cohort, and the items' errors.</summary>
    private static async Task<(int Certificates, int Files, int Mails, IReadOnlyList<string> Errors)> CountAsync(
        IServiceProvider services, int batchId, int cohortId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var ids = db.Certificates.Where(c => c.CohortId == cohortId).Select(c => c.Id);
        var certificates = await ids.CountAsync(ct);
        var files = await db.CertificateFiles.CountAsync(f => ids.Contains(f.CertificateId), ct);
        var keys = ids.Select(id => "certificate:" + id);
        var mails = await db.OutgoingMail.CountAsync(m => keys.Contains(m.Key), ct);
        var errors = await db.CertificateBatchItems.AsNoTracking().Where(i => i.BatchId == batchId && i.Error != null)
            .GroupBy(i => i.Error!).Select(g => new { g.Key, Count = g.Count() }).OrderByDescending(g => g.Count).Take(5).ToListAsync(ct);
        return (certificates, files, mails, [.. errors.Select(e => $"{e.Count} × {e.Key}")]);
    }

    /// <summary>
    /// The stored PDFs of one cohort by the script of the holder's name: sizes, and the largest of each inspected with
    /// pdffonts (which fonts, embedded, subset) and for the bytes of the streams each font refers to. For comparison,
    /// the same name alone in a bare Skia PDF with the whole font file the app picked for it.
    /// </summary>
    private static async Task<IReadOnlyList<PdfSizes>> PdfSizesAsync(IServiceProvider services, int cohortId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var fonts = services.GetRequiredService<CertificateFonts>();
        var stored = await db.Certificates.AsNoTracking().Where(c => c.CohortId == cohortId)
            .Join(db.CertificateFiles, c => c.Id, f => f.CertificateId, (c, f) => new { c.HolderName, f.Pdf.Length, f.CertificateId })
            .ToListAsync(ct);
        var folder = Directory.CreateTempSubdirectory("cistrat-certificate-pdfs-");
        try
        {
            var result = new List<PdfSizes>();
            foreach (var (script, names) in CertificateSetup.Scripts)
            {
                var mine = stored.Where(s => names.Contains(s.HolderName)).ToList();
                if (mine.Count == 0)
                    continue;
                var largest = mine.MaxBy(s => s.Length)!;
                var pdf = await db.CertificateFiles.AsNoTracking().Where(f => f.CertificateId == largest.CertificateId).Select(f => f.Pdf).SingleAsync(ct);
                var path = Path.Combine(folder.FullName, $"{script}.pdf");
                await File.WriteAllBytesAsync(path, pdf, ct);
                var (rows, error) = await PdfFontsAsync(path, pdf, ct);
                var face = fonts.FaceFor("serif", bold: true, largest.HolderName.EnumerateRunes().First(r => Rune.IsLetter(r)).Value);
                result.Add(new PdfSizes(
                    script, mine.Count, mine.Min(s => s.Length), (int)mine.Average(s => s.Length), largest.Length, largest.HolderName, largest.Length,
                    rows, rows.Sum(r => r.StreamBytes), WholeFontLine(face.Typeface, largest.HolderName).Length,
                    $"{Path.GetFileName(face.Source.Path)}{(face.Source.Index > 0 ? $"#{face.Source.Index}" : "")}", error));
            }

            return result;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A bare Skia PDF of one line in the whole typeface (no subset made by the app).</summary>
    private static byte[] WholeFontLine(SKTypeface typeface, string text)
    {
        using var output = new MemoryStream();
        using (var document = SKDocument.CreatePdf(output))
        {
            var canvas = document.BeginPage(841.89f, 595.28f);
            using var font = new SKFont(typeface, 30);
            using var paint = new SKPaint { Color = SKColors.Black };
            canvas.DrawText(text, 100, 300, SKTextAlign.Left, font, paint);
            document.EndPage();
            document.Close();
        }

        return output.ToArray();
    }

    /// <summary>pdffonts' table (poppler-utils), each row with the bytes of the streams reachable from its font object.</summary>
    private static async Task<(IReadOnlyList<PdfFontRow> Rows, string Error)> PdfFontsAsync(string path, byte[] pdf, CancellationToken ct)
    {
        var start = new ProcessStartInfo("pdffonts") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(path);
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return ([], " (pdffonts is not installed: apt-get install poppler-utils)");
        }

        using (process)
        {
            if (process is null)
                return ([], " (pdffonts could not be started)");
            var output = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
                return ([], $" (pdffonts failed: {await process.StandardError.ReadToEndAsync(ct)})");
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var dashes = Array.FindIndex(lines, l => l.StartsWith("----", StringComparison.Ordinal));
            if (dashes < 0)
                return ([], " (pdffonts printed no table)");
            // The columns are as wide as the dashes under their headings.
            var widths = lines[dashes].Split(' ').Select(d => d.Length).ToArray();
            var objects = PdfObjects.Parse(pdf);
            var rows = new List<PdfFontRow>();
            foreach (var line in lines.Skip(dashes + 1))
            {
                var cells = new List<string>();
                var at = 0;
                foreach (var width in widths)
                {
                    cells.Add(at < line.Length ? line.Substring(at, Math.Min(width, line.Length - at)).Trim() : "");
                    at += width + 1;
                }

                if (cells.Count < 7)
                    continue;
                // "object ID" is the object's number and generation.
                var id = int.Parse(cells[6].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
                rows.Add(new PdfFontRow(cells[0], cells[1], cells[2], cells[3] == "yes", cells[4] == "yes", cells[5] == "yes", id, objects.StreamBytesReachableFrom(id)));
            }

            return (rows, "");
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Other processes of the project (a demo server, a test run, a build) that share the cores while this section runs.</summary>
    private static List<string> OtherAppProcesses()
    {
        var others = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                if (command.Contains("Cistrat.Learning", StringComparison.Ordinal) && !command.Contains("Cistrat.Learning.Benchmarks", StringComparison.Ordinal)
                    && !command.Contains("MSBuild.dll", StringComparison.Ordinal) && !command.Contains("/csc", StringComparison.Ordinal))
                    others.Add($"pid {pid}: {(command.Length > 120 ? command[..117] + "..." : command)}");
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return others;
    }

    private static void Print(IssueRun r) =>
        Console.WriteLine($"{r.Name}: {r.Done:N0} of {r.Items:N0} issued by {r.Workers} worker(s) in {r.Seconds:0.0} s: {r.PerSecond:0.0} certificates/s; "
            + $"p50 {r.P50Ms:0.0} ms, p99 {r.P99Ms:0.0} ms; {r.ProcessCores:0.00} cores ({r.CpuMsPerCertificate:0.0} ms CPU each), others {r.OtherCores:0.00}; "
            + $"{r.Certificates:N0} certificates, {r.Files:N0} PDFs, {r.MailsQueued:N0} mails queued" + (r.Errors.Count > 0 ? $"; errors: {string.Join("; ", r.Errors)}" : ""));

    private static void Print(string name, HangfireIssueRun r) =>
        Console.WriteLine($"{name}: {r.Done:N0} of {r.Items:N0} done in {r.Seconds:0.0} s: {r.PerSecond:0.0} certificates/s ({r.Workers} workers); "
            + $"first after {r.FirstDoneSeconds:0.0} s, all enqueued after {r.AllEnqueuedSeconds:0.0} s; {r.JobsSucceeded:N0} jobs succeeded; "
            + $"{r.ProcessCores:0.00} cores, others {r.OtherCores:0.00}; mails {r.MailsSentAtEnd:N0}/{r.MailsQueued:N0} sent at the end, all after {r.MailsDrainedSeconds:0.0} s"
            + (r.Errors.Count > 0 ? $"; errors: {string.Join("; ", r.Errors)}" : ""));

    /// <summary>This process's CPU time and the whole machine's busy time (/proc/stat), to split the cores between us and others.</summary>
    private readonly record struct CpuCounters(TimeSpan Process, double MachineBusy)
    {
        public static CpuCounters Read() => new(Environment.CpuUsage.TotalTime, MachineBusyCoreSeconds());

        public (double Process, double Others) CoresSince(double seconds)
        {
            var now = Read();
            var process = (now.Process - Process).TotalSeconds / seconds;
            return (process, Math.Max(0, ((now.MachineBusy - MachineBusy) / seconds) - process));
        }

        /// <summary>Core-seconds all cores spent busy since boot (the first line of /proc/stat, in clock ticks of 1/100 s).</summary>
        private static double MachineBusyCoreSeconds()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            return (fields.Sum() - fields[3] - fields[4]) / 100.0;
        }
    }
}

/// <summary>
/// Just enough of a PDF's object structure to price a font: the indirect objects Skia writes (uncompressed, no object
/// streams), their references and their streams' lengths.
/// </summary>
internal sealed class PdfObjects
{
    private readonly Dictionary<int, (List<int> References, long StreamBytes)> _objects = [];

    public static PdfObjects Parse(byte[] pdf)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        var text = Encoding.Latin1.GetString(pdf);
        var result = new PdfObjects();
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(text, @"(?m)^(\d+) 0 obj\b"))
        {
            var id = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var end = text.IndexOf("endobj", match.Index, StringComparison.Ordinal);
            var body = text[match.Index..(end < 0 ? text.Length : end)];
            var stream = body.IndexOf("stream", StringComparison.Ordinal);
            var dictionary = stream < 0 ? body : body[..stream];
            long length = 0;
            if (stream >= 0)
            {
                var declared = System.Text.RegularExpressions.Regex.Match(dictionary, @"/Length (\d+)(?! 0 R)");
                length = declared.Success ? long.Parse(declared.Groups[1].Value, CultureInfo.InvariantCulture) : body.Length - stream;
            }

            var references = System.Text.RegularExpressions.Regex.Matches(dictionary[match.Length..], @"(\d+) 0 R")
                .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            result._objects[id] = (references, length);
        }

        return result;
    }

    /// <summary>The bytes of every stream reachable from object <paramref name="id"/> (font file, ToUnicode, glyph procedures).</summary>
    public long StreamBytesReachableFrom(int id)
    {
        var seen = new HashSet<int>();
        var pending = new Stack<int>([id]);
        long bytes = 0;
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next) || !_objects.TryGetValue(next, out var obj))
                continue;
            bytes += obj.StreamBytes;
            foreach (var reference in obj.References)
                pending.Push(reference);
        }

        return bytes;
    }
}
