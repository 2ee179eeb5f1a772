using System.Globalization;
using System.Text;

namespace Cistrat.Learning.Benchmarks;

/// <summary>The issue's mail target, judged on one run: "on a 2-core machine".</summary>
internal static class MailTargets
{
    public static IReadOnlyList<TargetCheck> Judge(MailRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var r = run.Round;
        var c = CultureInfo.InvariantCulture;
        var target = $"{MailBenchmark.TargetReminders:N0} reminders delivered to a local SMTP server, each exactly once, in under {MailBenchmark.TargetTime.TotalSeconds:0} s";
        var measured = $"{r.Delivered.ToString("N0", c)} of {r.Session.ExpectedRecipients.ToString("N0", c)} delivered in "
            + (r.LastReceived is { } t ? t.TotalSeconds.ToString("0.0", c) + " s" : "—")
            + $" ({r.MessagesPerSecond?.ToString("0.0", c) ?? "—"} messages/s); {r.Duplicates} duplicates; {r.Rows.Sent.ToString("N0", c)} rows Sent"
            + (r.TimedOut ? "; the round stopped making progress" : "");
        if (r.Session.AddedTrainees != MailBenchmark.TargetReminders)
            return [new TargetCheck(target, measured + $" — not judged: {r.Session.AddedTrainees:N0} trainees in this run (`--quick`)", null)];
        var passed = r.AllDelivered && r.Duplicates == 0 && r.Rows.Sent == r.Delivered && !r.TimedOut
            && r.LastReceived < MailBenchmark.TargetTime;
        return [new TargetCheck(target, measured, passed)];
    }
}

/// <summary>
/// The mail section of REPORT.md. It sits before the live-room section (whose `--only live` rewrites from its marker
/// to the end), and `--only mail` rewrites from its marker to the next section the benchmark writes.
/// </summary>
internal static class MailReport
{
    public const string Marker = "<!-- mail: written by the benchmark's mail section; `--only mail` rewrites it, up to the next section the benchmark writes -->";

    /// <summary>The report with its mail section replaced by <paramref name="section"/>; a report without one gets it before the live-room section, or at the end.</summary>
    public static string Splice(string? existing, string section) => ReportSections.Splice(existing, Marker, section);

    public static string ToMarkdown(MailRun run, IReadOnlyList<TargetCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(checks);
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        var r = run.Round;
        md.AppendLine(Marker)
            .AppendLine("## Mail: session reminders through Hangfire to a local SMTP server")
            .AppendLine()
            .AppendLine(c, $"Run on {run.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, taking {run.Duration.TotalSeconds:0} s, by")
            .AppendLine(c, $"`dotnet run -c Release --project tests/Cistrat.Learning.Benchmarks{Flags(run.Options)}`.");
        if (run.Options.Only == BenchmarkOptions.MailSection)
            md.AppendLine("This section alone was run (`--only mail`); the other sections are from an earlier run.");
        md.AppendLine();
        if (run.Options.Quick)
            md.AppendLine(c, $"**Quick run** (`--quick`): {r.Session.AddedTrainees:N0} trainees instead of {MailBenchmark.TargetReminders:N0}, {run.Baseline.Jobs:N0} baseline jobs; the target is not judged.").AppendLine();
        if (r.Resources.OtherCores > BenchmarkRun.MaxOtherCores)
            md.AppendLine(c, $"**Other processes were busy during this run** ({r.Resources.OtherCores:0.00} cores while the reminders went out): the figures understate the app; run again on a quiet machine.").AppendLine();

        md.AppendLine(c, $"> The {run.Machine.Cores} cores ({run.Machine.Cpu}, load average {run.Machine.LoadAverage} when the section started) are shared by the app")
            .AppendLine("> (the sweep, Hangfire, rendering, MailKit, SQLite) and this benchmark's process (the SMTP sink and the outbox reads), as")
            .AppendLine("> a single small server with its mail relay would share them. The Hangfire baseline ran on the same machine in the same")
            .AppendLine("> run; the ratio to it is the figure to compare between machines.")
            .AppendLine();

        AppendSettings(md, run);
        AppendResults(md, run);
        AppendTimeline(md, run);
        AppendBaseline(md, run);

        md.AppendLine("### Mail target").AppendLine()
            .AppendLine("| Target | Measured | Result |")
            .AppendLine("|---|---|---|");
        foreach (var check in checks)
            md.AppendLine(c, $"| {check.Target} | {check.Measured} | **{check.Verdict}** |");
        md.AppendLine();

        var errors = new[] { ("Warm-up", run.WarmUp), ("Measured round", r) }.Where(x => x.Item2.Rows.Errors.Count > 0 || x.Item2.FaultedSmtpSessions > 0).ToList();
        if (errors.Count > 0)
        {
            md.AppendLine("### Errors").AppendLine();
            foreach (var (name, round) in errors)
            {
                foreach (var e in round.Rows.Errors)
                    md.AppendLine(c, $"- {name}: `LastError` {e}");
                if (round.FaultedSmtpSessions > 0)
                    md.AppendLine(c, $"- {name}: {round.FaultedSmtpSessions} SMTP sessions ended in an error at the sink.");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    private static string Flags(BenchmarkOptions options)
    {
        var flags = new List<string>();
        if (options.Quick)
            flags.Add("--quick");
        if (options.Only is { } only)
            flags.Add($"--only {only}");
        return flags.Count == 0 ? "" : " -- " + string.Join(' ', flags);
    }

    private static void AppendSettings(StringBuilder md, MailRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var s = run.Round.Session;
        var b = run.Baseline;
        md.AppendLine("### Settings").AppendLine()
            .AppendLine("- Server: the app with `--demo`, as above, in its own process on a temporary data folder, with `Mail__Host=127.0.0.1`,")
            .AppendLine(c, $"  `Mail__Port` = the sink's, `Mail__Security=None`, `Mail__SiteUrl={MailBenchmark.SiteUrl}`, `Jobs__RunServer=true`, and")
            .AppendLine("  `Mail__Pipelining=false`: MailKit's PIPELINING against SmtpServer costs about 45 ms a message, with TCP_NODELAY or")
            .AppendLine("  without (measured beside this benchmark), which would measure the sink, not the app. Everything else is the")
            .AppendLine(c, $"  default: Hangfire on Hangfire.Storage.SQLite (`jobs.db` in the data folder), {HangfireBaseline.Workers} workers on the queues `mail` and `default`,")
            .AppendLine(c, $"  queue poll interval {HangfireBaseline.QueuePollInterval.TotalSeconds:0} s, invisibility timeout {HangfireBaseline.InvisibilityTimeout.TotalMinutes:0} min; the outbox dispatcher's batches of 200 over one")
            .AppendLine("  SMTP connection each, every row marked Sent by its own UPDATE right after the server accepted the message.")
            .AppendLine(c, $"- Data: a cohort of the demo course `{s.CourseSlug}` with the demo cohort's dates and time zone, added straight in the app's")
            .AppendLine(c, $"  SQLite file with {s.AddedTrainees:N0} new trainees (accounts in the demo people's six languages and time zones in turn, active")
            .AppendLine(c, $"  enrolments) and a live session starting {MailSetup.StartsIn.TotalMinutes:0} minutes later, lectured by `{MailSetup.LecturerEmail}`, all in one transaction")
            .AppendLine(c, $"  ({s.Seeded.TotalSeconds:0.0} s). A cohort of its own rather than the demo one: every demo cohort has a session 20 hours ahead, whose")
            .AppendLine(c, $"  \"24h\" reminder would go to each added trainee too and double the work. Recipients: {s.ExpectedRecipients:N0}, the active trainees and the")
            .AppendLine("  lecturer; each gets the session's \"1h\" reminder (HTML and text, in the recipient's language, with the session's .ics).")
            .AppendLine("- Nothing is triggered by hand: the recurring `session-reminders` job runs on its every-minute schedule, plans the")
            .AppendLine("  rows, and enqueues a dispatch; the every-minute `mail-dispatch` job joins in while rows are left. **The clock starts when")
            .AppendLine("  the sweep starts** — the planner's \"now\", stored as every planned row's `CreatedAt` (the server's clock; same machine) —")
            .AppendLine("  **and stops when the sink has stored the last of the session's messages.** The wait for the schedule is shown, not counted.")
            .AppendLine("- Sink: SmtpServer 11.1.0 in the benchmark's process on a loopback port, no TLS, no authentication, accepting everything.")
            .AppendLine("  It keeps only each message's Message-ID (read from the header block), the connection it came over, and when its MAIL")
            .AppendLine("  command and its end of data arrived. The app derives each Message-ID from the row's unique key, so \"delivered\" counts the")
            .AppendLine(c, $"  distinct Message-IDs of the session's rows that arrived, and a duplicate is any further copy of one. The outbox is read every")
            .AppendLine(c, $"  {MailBenchmark.PollInterval.TotalMilliseconds:0} ms on a connection of its own (row counts by key range; WAL lets these reads run beside the app's writes).")
            .AppendLine(c, $"- Warm-up: first a round of {MailBenchmark.WarmUpTrainees} trainees in a cohort of the same kind of the demo course `{MailBenchmark.WarmUpCourse}`, measured the same way, so that")
            .AppendLine("  the measured round does not pay for compiling the mail path (templates, cultures, MailKit, the dispatcher's queries).")
            .AppendLine(c, $"- Baseline: Hangfire alone in the benchmark's process, with the app's configuration (serializer settings, compatibility level")
            .AppendLine(c, $"  1.8.0) and storage options, a {b.Workers}-worker server on a fresh Hangfire.Storage.SQLite file: {b.WarmUpJobs} jobs to warm up, then {b.Jobs:N0} jobs")
            .AppendLine("  of a public static method that does nothing but count, enqueued one after another from one thread; timed from the first")
            .AppendLine("  enqueue until no job is left Processing after the last one ran.")
            .AppendLine(c, $"- CPU is sampled every {ResourceSampler.Interval.TotalMilliseconds:0} ms from /proc over the clock's window: the server's, this process's (sink and reads), and other")
            .AppendLine("  processes'.")
            .AppendLine();
    }

    private static void AppendResults(StringBuilder md, MailRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var (w, r) = (run.WarmUp, run.Round);
        md.AppendLine("### Results").AppendLine()
            .AppendLine(c, $"| | Warm-up ({w.Session.AddedTrainees:N0} added) | **Measured round ({r.Session.AddedTrainees:N0} added)** |")
            .AppendLine("|---|--:|--:|");
        Row(md, "Recipients (active trainees + lecturer)", w.Session.ExpectedRecipients.ToString("N0", c), r.Session.ExpectedRecipients.ToString("N0", c));
        Row(md, "Rows planned by the sweep", w.Planned.ToString("N0", c), r.Planned.ToString("N0", c));
        Row(md, "Waited for the schedule to run the sweep (not counted)", S(w.WaitedForSweep), S(r.WaitedForSweep));
        Row(md, $"Sweep start → all rows in the outbox (±{MailBenchmark.PollInterval.TotalSeconds:0.00} s)", S(w.PlanningSeen), S(r.PlanningSeen));
        Row(md, "Sweep start → first message at the sink", S(w.FirstReceived), S(r.FirstReceived));
        Row(md, "Sweep start → half of the messages", S(w.HalfReceived), S(r.HalfReceived));
        Row(md, "**Sweep start → last message at the sink**", S(w.LastReceived), "**" + S(r.LastReceived) + "**");
        Row(md, "**Delivered** (distinct Message-IDs of the session's rows)", w.Delivered.ToString("N0", c), "**" + r.Delivered.ToString("N0", c) + "**");
        Row(md, "**Duplicates** (further copies of a delivered Message-ID)", w.Duplicates.ToString(c), "**" + r.Duplicates.ToString(c) + "**");
        Row(md, "Outbox rows Sent / Pending / Failed / Skipped", RowsOf(w.Rows), RowsOf(r.Rows));
        Row(md, "Rows that needed more than one attempt (most attempts)", $"{w.Rows.Retried} ({w.Rows.MaxAttempts})", $"{r.Rows.Retried} ({r.Rows.MaxAttempts})");
        Row(md, "**Messages/s**, sweep start → last message", Rate(w.MessagesPerSecond), "**" + Rate(r.MessagesPerSecond) + "**");
        Row(md, "Messages/s, first message → last", Rate(w.SendingPerSecond), Rate(r.SendingPerSecond));
        Row(md, "SMTP connections (one per dispatcher batch) / ended in error", $"{w.SmtpSessions} / {w.FaultedSmtpSessions}", $"{r.SmtpSessions} / {r.FaultedSmtpSessions}");
        Row(md, "Other messages at the sink meanwhile (not this session's)", $"{w.OtherMessages} (+{w.UnknownMessages} without Message-ID)", $"{r.OtherMessages} (+{r.UnknownMessages} without Message-ID)");
        Row(md, "Mean message size, bytes (HTML + text + .ics)", w.MeanMessageBytes.ToString("N0", c), r.MeanMessageBytes.ToString("N0", c));
        Row(md, "CPU, cores: server / benchmark (sink, reads) / others", Cores(w.Resources), Cores(r.Resources));
        Row(md, "Server CPU per message, ms", CpuPerMessage(w), CpuPerMessage(r));
        Row(md, "Server JIT thread CPU during the round, ms", w.JitCpu.TotalMilliseconds.ToString("0", c), r.JitCpu.TotalMilliseconds.ToString("0", c));
        md.AppendLine();
        if (r.TimedOut || w.TimedOut)
            md.AppendLine("**A round stopped making progress** (no message and no row change for 150 s, or 10 minutes in all): its figures are up to that point.").AppendLine();
    }

    private static void AppendTimeline(StringBuilder md, MailRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var r = run.Round;
        if (r.Timeline is not { } t || r.LastReceived is not { } total)
            return;
        var n = Math.Max(1, r.Delivered);
        string Part(TimeSpan span) => $"{span.TotalSeconds.ToString("0.0", c)} | {(span.TotalSeconds / total.TotalSeconds * 100).ToString("0", c)} % | {(span.TotalMilliseconds / n).ToString("0.00", c)}";
        md.AppendLine("### Where the time of the measured round goes").AppendLine()
            .AppendLine("Read from the sink's clock: each SMTP connection is one dispatcher batch, which claims its rows with one UPDATE, checks")
            .AppendLine("them against the database (session, preferences), renders and composes all its messages, and only then connects and")
            .AppendLine("sends them one by one, marking each row Sent as it goes. So the time with no connection sending is claiming and rendering,")
            .AppendLine("and inside a connection the time splits into the SMTP exchanges and what the app does between two messages.")
            .AppendLine()
            .AppendLine("| From the sweep's start to the last message | s | share | ms per message delivered |")
            .AppendLine("|---|--:|--:|--:|")
            .AppendLine(c, $"| Whole round | {Part(total)} |");
        if (r.PlanningSeen is { } planning)
            md.AppendLine(c, $"| Sweep start → all rows in the outbox (planning; overlaps the next lines) | {Part(planning)} |");
        md.AppendLine(c, $"| Sweep start → the first MAIL command (planning, the first claim and render, connecting) | {Part(t.BeforeFirstMessage)} |")
            .AppendLine(c, $"| No connection sending (the above, and each later batch's claim, checks and render) | {Part(t.NoBatchSending)} |")
            .AppendLine(c, $"| At least one connection sending | {Part(t.BatchesSending)} |")
            .AppendLine(c, $"| — in SMTP exchanges (MAIL command in → message stored at the sink), summed over connections | {Part(t.SmtpExchanges)} |")
            .AppendLine(c, $"| — between a message stored and the next MAIL command (the reply, the row's UPDATE to Sent, the next envelope), summed | {Part(t.BetweenMessages)} |")
            .AppendLine()
            .AppendLine(c, $"{t.Batches} connections, the largest with {t.LargestBatch} messages; at most {t.MostAtOnce} sending at once (two or more for {t.TwoOrMoreSending.TotalSeconds:0.0} s:")
            .AppendLine("each dispatch job sends over one connection at a time; a second one runs when the every-minute `mail-dispatch` overlaps the")
            .AppendLine("dispatch the sweep enqueued). Median time between one connection's last message and the")
            .AppendLine(c, $"next one's first MAIL command {t.MedianGapBetweenBatches.TotalMilliseconds:N0} ms (≈ {t.MedianGapBetweenBatches.TotalMilliseconds / Math.Max(1, t.LargestBatch):0.00} ms per message of a full batch), median time a connection")
            .AppendLine(c, $"was sending {t.MedianBatchSending.TotalMilliseconds:N0} ms. For scale, the per-message UPDATE that marks a row Sent, timed")
            .AppendLine(c, $"from the benchmark's process on the app's database after the round (200 in a row): **{run.Update.EfCoreMs:0.00} ms through EF Core** shaped as")
            .AppendLine(c, $"`MailDispatcher.MarkSentAsync`, {run.Update.SqlMs:0.00} ms as the bare SQL statement, on this machine's disk")
            .AppendLine("(WAL, SQLite's default synchronous=FULL as the app leaves it).")
            .AppendLine();
        var p = run.Probe;
        md.AppendLine(c, $"SMTP alone, for comparison (MailKit in the benchmark's process to the same sink, PIPELINING off, {p.Messages} messages of {p.MessageBytes:N0}")
            .AppendLine(c, $"bytes one after another over one connection): **{p.DefaultSocketMs:0.00} ms a message on the socket MailKit opens itself, {p.NoDelayMs:0.00} ms with")
            .AppendLine("TCP_NODELAY**. Without it, the end of each message's DATA waits in the client's kernel (Nagle's algorithm) until the server")
            .AppendLine("acknowledges the previous segment, which the server's kernel delays by up to 40 ms because it has nothing to answer yet.")
            .AppendLine(c, $"That is why the app's `SmtpMailTransport` hands MailKit a socket of its own with TCP_NODELAY: on MailKit's socket, {MailBenchmark.TargetReminders:N0}")
            .AppendLine(c, $"messages over one connection at a time would wait about {p.DefaultSocketMs * MailBenchmark.TargetReminders / 1000:0} s in these stalls alone.")
            .AppendLine();
    }

    private static void AppendBaseline(StringBuilder md, MailRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var b = run.Baseline;
        var r = run.Round;
        md.AppendLine("### Baseline: Hangfire alone on the same storage").AppendLine()
            .AppendLine("| | |")
            .AppendLine("|---|--:|")
            .AppendLine(c, $"| No-op jobs | {b.Jobs:N0} |")
            .AppendLine(c, $"| Enqueued one after another, s (jobs/s) | {b.Enqueued.TotalSeconds:0.0} ({b.EnqueuedPerSecond:0}) |")
            .AppendLine(c, $"| First enqueue → all succeeded, s | {b.AllSucceeded.TotalSeconds:0.0} |")
            .AppendLine(c, $"| **Jobs/s** | **{b.JobsPerSecond:0.0}** |")
            .AppendLine(c, $"| CPU of the process (client and server) / other processes, cores | {b.Cores:0.00} / {b.OtherCores:0.00} |")
            .AppendLine(c, $"| Journal mode of the storage's SQLite file | {b.JournalMode} |")
            .AppendLine();
        if (b.OtherCores > BenchmarkRun.MaxOtherCores)
            md.AppendLine(c, $"**Other processes took {b.OtherCores:0.00} cores while the baseline ran**: its figure, and the ratio below, are disturbed.").AppendLine();
        if (r.MessagesPerSecond is { } mps)
        {
            var perJob = MailBenchmark.TargetReminders / b.JobsPerSecond;
            md.AppendLine(c, $"The app delivered **{mps / b.JobsPerSecond:0.0}×** as many messages per second ({mps:0.0}) as Hangfire alone runs no-op jobs on this storage")
                .AppendLine(c, $"({b.JobsPerSecond:0.0}). One job per message would spend about {perJob:0} s on the job system alone for {MailBenchmark.TargetReminders:N0} reminders, before")
                .AppendLine(c, $"rendering or sending anything{(perJob >= MailBenchmark.TargetTime.TotalSeconds ? " — more than the target allows for everything" : "")}; the outbox keeps it to a few jobs per round (the sweep, and one dispatch per")
                .AppendLine(c, $"kick or minute, each sending batch after batch for up to 2 minutes).")
                .AppendLine();
        }
    }

    private static void Row(StringBuilder md, string label, string warmUp, string round) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {warmUp} | {round} |");

    private static string S(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "never";

    private static string Rate(double? rate) => rate?.ToString("0.0", CultureInfo.InvariantCulture) ?? "—";

    private static string RowsOf(OutboxRows rows) => string.Create(CultureInfo.InvariantCulture, $"{rows.Sent:N0} / {rows.Pending:N0} / {rows.Failed:N0} / {rows.Skipped:N0}");

    private static string Cores(ResourceUse r) => string.Create(CultureInfo.InvariantCulture, $"{r.ServerCores:0.00} / {r.LoadGeneratorCores:0.00} / {r.OtherCores:0.00}");

    private static string CpuPerMessage(MailRound r) =>
        r.LastReceived is { } t && r.Delivered > 0 && !double.IsNaN(r.Resources.ServerCores)
            ? (r.Resources.ServerCores * t.TotalMilliseconds / r.Delivered).ToString("0.00", CultureInfo.InvariantCulture)
            : "—";
}
