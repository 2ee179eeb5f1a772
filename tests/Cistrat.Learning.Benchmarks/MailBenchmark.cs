using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Benchmarks;

/// <summary>The outbox rows of one session's reminders after the round, by status.</summary>
internal sealed record OutboxRows(int Pending, int Sent, int Failed, int Skipped, int Retried, int MaxAttempts, IReadOnlyList<string> Errors)
{
    public int Total => Pending + Sent + Failed + Skipped;
}

/// <summary>
/// Where the time of a round went, read from the sink's clock: the SMTP connections (one per dispatcher batch), the
/// time between them (claiming and rendering the next batch before its connection sends anything), and inside a batch
/// the SMTP exchanges (MAIL command in to message stored) and the time between one message stored and the next MAIL
/// command (the reply read, the row's UPDATE to Sent, the next envelope).
/// </summary>
internal sealed record RoundTimeline(
    int Batches,
    int LargestBatch,
    TimeSpan BeforeFirstMessage,
    TimeSpan NoBatchSending,
    TimeSpan BatchesSending,
    TimeSpan SmtpExchanges,
    TimeSpan BetweenMessages,
    TimeSpan MedianGapBetweenBatches,
    TimeSpan MedianBatchSending,
    int MostAtOnce,
    TimeSpan TwoOrMoreSending);

/// <summary>One session's reminders from the sweep that planned them to the last message at the sink.</summary>
internal sealed record MailRound(
    MailSession Session,
    int Planned,
    DateTime PlanningStartedUtc,
    TimeSpan WaitedForSweep,
    TimeSpan? PlanningSeen,
    TimeSpan? FirstReceived,
    TimeSpan? HalfReceived,
    TimeSpan? LastReceived,
    int Delivered,
    int Duplicates,
    int UnknownMessages,
    int OtherMessages,
    int SmtpSessions,
    int FaultedSmtpSessions,
    OutboxRows Rows,
    long MeanMessageBytes,
    RoundTimeline? Timeline,
    ResourceUse Resources,
    TimeSpan JitCpu,
    bool TimedOut)
{
    public bool AllDelivered => Delivered == Session.ExpectedRecipients && Planned == Session.ExpectedRecipients;

    /// <summary>Messages delivered per second, from the sweep's start to the last message received.</summary>
    public double? MessagesPerSecond => LastReceived is { } last && Delivered > 0 ? Delivered / last.TotalSeconds : null;

    /// <summary>From the first message received to the last: the sending rate once the first batch was rendered.</summary>
    public double? SendingPerSecond => LastReceived is { } last && FirstReceived is { } first && Delivered > 1 && last > first
        ? (Delivered - 1) / (last - first).TotalSeconds
        : null;
}

/// <summary>Everything the mail section measured, for its part of the report and its target.</summary>
internal sealed record MailRun(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    MachineInfo Machine,
    BenchmarkOptions Options,
    JobBaseline Baseline,
    SmtpProbeResult Probe,
    MailRound WarmUp,
    MailRound Round,
    UpdateCost Update);

/// <summary>Milliseconds per single-row UPDATE of an outbox row: through EF Core as the dispatcher does, and as bare SQL.</summary>
internal sealed record UpdateCost(double EfCoreMs, double SqlMs);

/// <summary>
/// "10,000 reminders rendered and delivered to a local SMTP server through Hangfire on the embedded storage": the app in
/// its own process with Hangfire's SQLite storage and its own job server, mailing to <see cref="SmtpSink"/> in this
/// process; a demo cohort given thousands of trainees and a session 30 minutes ahead, so that the session-reminders
/// sweep (every minute) plans a reminder for each. The baseline is Hangfire alone on the same kind of storage
/// (<see cref="HangfireBaseline"/>), in the same run.
/// </summary>
internal static class MailBenchmark
{
    /// <summary>The figure: "10,000 reminders ... all delivered, each exactly once, in under 60 s".</summary>
    public const int TargetReminders = 10_000;

    public static readonly TimeSpan TargetTime = TimeSpan.FromSeconds(60);

    /// <summary>A first, small round in another cohort, so that the measured round does not pay for the mail path's first JIT.</summary>
    public const int WarmUpTrainees = 300;

    public const string WarmUpCourse = "digital-transformation";

    /// <summary>Where links in the mail point; its host ends every Message-ID (MailComposer.MessageIdOf).</summary>
    public const string SiteUrl = "http://learning.bench.local";

    /// <summary>How often the outbox is read while a round runs: cheap reads, which a WAL database serves beside its writer.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The sweep runs every minute on Hangfire's recurring schedule; it must have run by then.</summary>
    private static readonly TimeSpan SweepTimeout = TimeSpan.FromSeconds(150);

    /// <summary>A round with no message and no row change for this long has stopped (the dispatcher's retries wait 30 s and more).</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(150);

    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(10);

    /// <summary>After the last message, duplicates would still arrive from a second dispatcher holding the same row.</summary>
    private static readonly TimeSpan DuplicateGrace = TimeSpan.FromSeconds(3);

    public static int RemindersFor(BenchmarkOptions options) => options.Quick ? 2_000 : TargetReminders;

    public static int BaselineJobsFor(BenchmarkOptions options) => options.Quick ? 500 : 2_000;

    /// <summary>The app's settings for this section, over ServerProcess's: SMTP to the sink, Hangfire's server on.</summary>
    public static Dictionary<string, string> ServerEnvironment(int smtpPort) => new()
    {
        ["Mail__Host"] = "127.0.0.1",
        ["Mail__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Mail__Security"] = "None",
        // MailKit's PIPELINING against SmtpServer costs ~45 ms a message, TCP_NODELAY or not: off, to measure the app, not the sink.
        ["Mail__Pipelining"] = "false",
        ["Mail__SiteUrl"] = SiteUrl,
        ["Jobs__RunServer"] = "true",
        ["Jobs__Schedule"] = "true",
    };

    public static async Task<MailRun> RunAsync(RepoLayout repo, BenchmarkOptions options, string demoPassword, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        var reminders = RemindersFor(options);

        Console.WriteLine($"Mail: baseline, {BaselineJobsFor(options):N0} no-op Hangfire jobs on SQLite storage in this process ...");
        var baseline = await HangfireBaseline.RunAsync(BaselineJobsFor(options), ct);
        Console.WriteLine($"Baseline: {baseline.JobsPerSecond:0.0} jobs/s ({baseline.Jobs:N0} enqueued in {baseline.Enqueued.TotalSeconds:0.0} s, all succeeded after {baseline.AllSucceeded.TotalSeconds:0.0} s)");

        await using var sink = await SmtpSink.StartAsync(ct);
        var probe = await SmtpProbe.RunAsync(sink.Port, messages: 200, ct);
        Console.WriteLine($"SMTP probe (MailKit alone to the sink, {probe.MessageBytes:N0}-byte messages): {probe.DefaultSocketMs:0.00} ms/message on MailKit's socket, "
            + $"{probe.NoDelayMs:0.00} ms/message with TCP_NODELAY");
        var dataFolder = Directory.CreateTempSubdirectory("cistrat-mail-bench-");
        try
        {
            Console.WriteLine($"Mail: starting the app with SMTP to the sink on 127.0.0.1:{sink.Port} ...");
            MailRound warmUp, round;
            UpdateCost updateCost;
            await using (var server = await ServerProcess.StartAsync(repo, demoPassword, dataFolder, ServerEnvironment(sink.Port), TimeSpan.FromMinutes(2), ct))
            {
                Console.WriteLine($"Server (pid {server.Id}) is live at {server.BaseAddress}");
                await using var sampler = new ResourceSampler(server);

                var warmSession = await MailSetup.SeedAsync(dataFolder, WarmUpCourse, "warm", WarmUpTrainees, ct);
                Console.WriteLine($"Warm-up: session {warmSession.SessionId} with {warmSession.ExpectedRecipients:N0} recipients; waiting for the sweep ...");
                warmUp = await MeasureAsync(server, sink, sampler, warmSession, ct);
                Print("Warm-up", warmUp);

                var session = await MailSetup.SeedAsync(dataFolder, Site.CourseSlug, "mail", reminders, ct);
                Console.WriteLine($"Round: session {session.SessionId} of '{session.CohortName}', {session.AddedTrainees:N0} trainees added in {session.Seeded.TotalSeconds:0.0} s, "
                    + $"{session.ExpectedRecipients:N0} recipients; waiting for the sweep ...");
                round = await MeasureAsync(server, sink, sampler, session, ct);
                Print("Round", round);
                updateCost = await UpdateCostAsync(dataFolder, session, ct);
            }

            return new MailRun(startedAt, clock.Elapsed, machine, options, baseline, probe, warmUp, round, updateCost);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                dataFolder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    /// <summary>MailComposer.MessageIdOf: the first 32 hex digits of SHA-256 of the outbox key, at the site's host.</summary>
    public static string MessageIdOf(string key) =>
        $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}@{new Uri(SiteUrl).Host}";

    private static async Task<MailRound> MeasureAsync(ServerProcess server, SmtpSink sink, ResourceSampler sampler, MailSession session, CancellationToken ct)
    {
        var seededAt = Stopwatch.GetTimestamp();
        var (refUtc, refTicks) = (DateTime.UtcNow, Stopwatch.GetTimestamp());
        var (sessionsBefore, faultedBefore, receivedBefore) = (sink.Sessions, sink.FaultedSessions, sink.Count);
        server.TieredCompilationCpuSinceLastCall();
        await using var db = new SqliteConnection($"Data Source={RoomSetup.DatabasePath(server.DataFolder!)};Pooling=False;Default Timeout=30");
        await db.OpenAsync(ct);
        var outbox = new OutboxReader(db, session.KeyPrefix);

        // The sweep: its first rows, then all of them (MailOutbox saves in chunks of 500).
        var (planned, createdAt) = await outbox.CountAsync(ct);
        while (planned == 0)
        {
            if (Stopwatch.GetElapsedTime(seededAt) > SweepTimeout)
                throw new BenchmarkException($"The session-reminders sweep planned nothing for session {session.SessionId} within {SweepTimeout.TotalSeconds:0} s. The server's last output:{Environment.NewLine}{server.OutputTail}");
            await Task.Delay(PollInterval, ct);
            (planned, createdAt) = await outbox.CountAsync(ct);
        }

        var planningStartedUtc = DateTime.SpecifyKind(createdAt!.Value, DateTimeKind.Utc);
        var planningStart = refTicks + (long)((planningStartedUtc - refUtc).TotalSeconds * Stopwatch.Frequency);
        long? planningSeen = null;
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var (plannedCount, plannedChanged) = (planned, Stopwatch.GetTimestamp());
        var (lastChange, lastReceived, lastSent) = (Stopwatch.GetTimestamp(), sink.Count, 0);
        var timedOut = false;
        while (true)
        {
            // All rows are there, or they stopped coming short of the audience (the planner skips whom it cannot mail).
            if (planningSeen is null && planned >= session.ExpectedRecipients)
                planningSeen = Stopwatch.GetTimestamp();
            else if (planningSeen is null && Stopwatch.GetElapsedTime(plannedChanged) > TimeSpan.FromSeconds(10))
                planningSeen = plannedChanged;
            if (planningSeen is not null && expected.Count < planned)
            {
                foreach (var key in await outbox.KeysAsync(ct))
                    expected.Add(MessageIdOf(key));
            }

            if (planningSeen is not null && CountDelivered(sink.Received, expected) >= planned)
                break;
            var sent = await outbox.SentAsync(ct);
            if (sink.Count != lastReceived || sent != lastSent || Stopwatch.GetElapsedTime(plannedChanged) < PollInterval * 2)
                (lastChange, lastReceived, lastSent) = (Stopwatch.GetTimestamp(), sink.Count, sent);
            if (Stopwatch.GetElapsedTime(lastChange) > StallTimeout || Stopwatch.GetElapsedTime(seededAt) > RoundTimeout)
            {
                timedOut = true;
                break;
            }

            await Task.Delay(PollInterval, ct);
            (planned, _) = await outbox.CountAsync(ct);
            if (planned != plannedCount)
                (plannedCount, plannedChanged) = (planned, Stopwatch.GetTimestamp());
        }

        if (expected.Count < planned)
        {
            foreach (var key in await outbox.KeysAsync(ct))
                expected.Add(MessageIdOf(key));
        }

        var doneAt = Stopwatch.GetTimestamp();
        await Task.Delay(DuplicateGrace, ct);
        // The row is marked Sent right after the server accepted the message: give the last UPDATEs a moment.
        for (var i = 0; i < 40 && await outbox.SentAsync(ct) < CountDelivered(sink.Received, expected); i++)
            await Task.Delay(PollInterval, ct);

        var all = sink.Received.Skip(receivedBefore).ToList();
        var mine = all.Where(m => m.MessageId is not null && expected.Contains(m.MessageId)).ToList();
        var distinct = mine.DistinctBy(m => m.MessageId).ToList();
        if (distinct.Count == 0 && all.Count >= planned && planned > 0)
            throw new BenchmarkException($"The sink received {all.Count:N0} messages but none with a Message-ID derived from the outbox keys as MailComposer.MessageIdOf did: the formula changed, update MailBenchmark.MessageIdOf.");
        var firstOf = distinct.Select(m => m.At).Order().ToList();
        TimeSpan? Since(long? ticks) => ticks is { } t ? Stopwatch.GetElapsedTime(planningStart, t) : null;
        var last = firstOf.Count > 0 ? firstOf[^1] : (long?)null;
        var resources = sampler.Summarize(planningStart, planningStart, last ?? doneAt);
        var rows = await outbox.RowsAsync(ct);
        return new MailRound(
            session,
            planned,
            planningStartedUtc,
            Stopwatch.GetElapsedTime(seededAt, planningStart),
            Since(planningSeen),
            Since(firstOf.Count > 0 ? firstOf[0] : null),
            Since(firstOf.Count > 0 ? firstOf[(firstOf.Count - 1) / 2] : null),
            Since(last),
            distinct.Count,
            mine.Count - distinct.Count,
            all.Count(m => m.MessageId is null),
            all.Count(m => m.MessageId is not null && !expected.Contains(m.MessageId)),
            sink.Sessions - sessionsBefore,
            sink.FaultedSessions - faultedBefore,
            rows,
            mine.Count == 0 ? 0 : (long)mine.Average(m => m.Bytes),
            Timeline(mine, planningStart),
            resources,
            server.TieredCompilationCpuSinceLastCall(),
            timedOut);
    }

    private static int CountDelivered(IReadOnlyList<ReceivedMail> received, HashSet<string> expected) =>
        received.Where(m => m.MessageId is not null && expected.Contains(m.MessageId)).Select(m => m.MessageId).Distinct(StringComparer.Ordinal).Count();

    /// <summary>The round's messages by SMTP connection: when connections were sending, and what the time inside them went to.</summary>
    private static RoundTimeline? Timeline(List<ReceivedMail> messages, long planningStart)
    {
        if (messages.Count == 0)
            return null;
        var batches = messages.GroupBy(m => m.Session)
            .Select(g => g.OrderBy(m => m.At).ToList())
            .OrderBy(b => b[0].MailCommandAt)
            .ToList();
        double exchange = 0, between = 0, sending = 0, idle = 0;
        var gaps = new List<double>();
        var spans = new List<double>();
        var end = planningStart;
        foreach (var batch in batches)
        {
            var (start, stop) = (batch[0].MailCommandAt, batch[^1].At);
            spans.Add(Seconds(start, stop));
            if (start > end)
            {
                idle += Seconds(end, start);
                if (end != planningStart)
                    gaps.Add(Seconds(end, start));
            }

            sending += Seconds(Math.Max(start, end), Math.Max(stop, end));
            end = Math.Max(end, stop);
            for (var i = 0; i < batch.Count; i++)
            {
                exchange += Seconds(batch[i].MailCommandAt, batch[i].At);
                if (i > 0)
                    between += Seconds(batch[i - 1].At, batch[i].MailCommandAt);
            }
        }

        // Connections sending at once: each dispatcher job sends over one at a time, so this is how many jobs were sending.
        var edges = batches.SelectMany(b => new[] { (At: b[0].MailCommandAt, Step: 1), (At: b[^1].At, Step: -1) }).OrderBy(e => e.At).ThenBy(e => e.Step).ToList();
        var (open, most, parallel) = (0, 0, 0.0);
        for (var i = 0; i < edges.Count; i++)
        {
            if (open >= 2 && i > 0)
                parallel += Seconds(edges[i - 1].At, edges[i].At);
            open += edges[i].Step;
            most = Math.Max(most, open);
        }

        return new RoundTimeline(
            batches.Count,
            batches.Max(b => b.Count),
            TimeSpan.FromSeconds(Seconds(planningStart, batches[0][0].MailCommandAt)),
            TimeSpan.FromSeconds(idle),
            TimeSpan.FromSeconds(sending),
            TimeSpan.FromSeconds(exchange),
            TimeSpan.FromSeconds(between),
            TimeSpan.FromSeconds(Median(gaps)),
            TimeSpan.FromSeconds(Median(spans)),
            most,
            TimeSpan.FromSeconds(parallel));
    }

    private static double Seconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalSeconds;

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
            return 0;
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>
    /// What the dispatcher's per-message UPDATE costs, in the app's database (WAL, SQLite's default synchronous=FULL,
    /// as the app runs it), from this process after the round: through EF Core shaped as MailDispatcher.MarkSentAsync
    /// (ExecuteUpdate of six columns by id), and as the bare SQL statement. Each writes the values the row already has,
    /// so the app's data is unchanged.
    /// </summary>
    private static async Task<UpdateCost> UpdateCostAsync(DirectoryInfo dataFolder, MailSession session, CancellationToken ct)
    {
        const int Updates = 200;
        const int WarmUp = 20;
        var path = RoomSetup.DatabasePath(dataFolder);
        var options = new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlite($"Data Source={path};Default Timeout=30", o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite))
            .Options;
        await using var db = new LearningDbContext(options);
        var upper = OutboxReader.UpperBound(session.KeyPrefix);
        var ids = await db.OutgoingMail.AsNoTracking()
            .Where(m => string.Compare(m.Key, session.KeyPrefix) >= 0 && string.Compare(m.Key, upper) < 0)
            .OrderBy(m => m.Id).Select(m => m.Id).Take(WarmUp + Updates).ToListAsync(ct);
        if (ids.Count < WarmUp + Updates)
            return new UpdateCost(double.NaN, double.NaN);

        async Task Ef(long id) => await db.OutgoingMail.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, MailStatus.Sent)
            .SetProperty(m => m.SentAt, m => m.SentAt)
            .SetProperty(m => m.Attempts, m => m.Attempts)
            .SetProperty(m => m.LastError, (string?)null)
            .SetProperty(m => m.ClaimToken, (Guid?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), ct);
        foreach (var id in ids.Take(WarmUp))
            await Ef(id);
        var clock = Stopwatch.StartNew();
        foreach (var id in ids.Skip(WarmUp))
            await Ef(id);
        var ef = clock.Elapsed.TotalMilliseconds / Updates;

        // EF opened and closed the (pooled) connection around each statement, as in the app; the bare statements share one.
        await db.Database.OpenConnectionAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE OutgoingMail SET Status = 1, SentAt = SentAt, Attempts = Attempts, LastError = NULL, ClaimToken = NULL, ClaimedUntil = NULL WHERE Id = $id";
        var parameter = update.Parameters.Add("$id", SqliteType.Integer);
        clock.Restart();
        foreach (var id in ids.Skip(WarmUp))
        {
            parameter.Value = id;
            await update.ExecuteNonQueryAsync(ct);
        }

        return new UpdateCost(ef, clock.Elapsed.TotalMilliseconds / Updates);
    }

    private static void Print(string name, MailRound r) =>
        Console.WriteLine(
            $"{name}: {r.Delivered:N0} of {r.Session.ExpectedRecipients:N0} delivered ({r.Planned:N0} planned, {r.Duplicates} duplicates, {r.Rows.Sent:N0} rows Sent), "
            + $"sweep after {r.WaitedForSweep.TotalSeconds:0} s; from the sweep's start: rows all planned {Fmt(r.PlanningSeen)}, first message {Fmt(r.FirstReceived)}, "
            + $"last {Fmt(r.LastReceived)}; {r.MessagesPerSecond:0.0} messages/s ({r.SendingPerSecond:0.0}/s once sending); "
            + $"cores: server {r.Resources.ServerCores:0.00}, benchmark {r.Resources.LoadGeneratorCores:0.00}, others {r.Resources.OtherCores:0.00}"
            + (r.TimedOut ? " — TIMED OUT" : ""));

    private static string Fmt(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "never";

    /// <summary>Read-only queries on the outbox rows of one session, by their key range (the unique index on Key serves them).</summary>
    private sealed class OutboxReader(SqliteConnection db, string prefix)
    {
        private readonly string _upper = UpperBound(prefix);

        /// <summary>The smallest string above every key that starts with <paramref name="prefix"/> (its last character, ':', plus one).</summary>
        public static string UpperBound(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

        public async Task<(int Count, DateTime? FirstCreated)> CountAsync(CancellationToken ct)
        {
            await using var command = Command("SELECT COUNT(*), MIN(CreatedAt) FROM OutgoingMail WHERE Key >= $lo AND Key < $hi");
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1));
        }

        public async Task<int> SentAsync(CancellationToken ct)
        {
            await using var command = Command("SELECT COUNT(*) FROM OutgoingMail WHERE Key >= $lo AND Key < $hi AND Status = 1");
            return Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }

        public async Task<List<string>> KeysAsync(CancellationToken ct)
        {
            await using var command = Command("SELECT Key FROM OutgoingMail WHERE Key >= $lo AND Key < $hi");
            await using var reader = await command.ExecuteReaderAsync(ct);
            var keys = new List<string>();
            while (await reader.ReadAsync(ct))
                keys.Add(reader.GetString(0));
            return keys;
        }

        public async Task<OutboxRows> RowsAsync(CancellationToken ct)
        {
            var counts = new int[4];
            int retried = 0, maxAttempts = 0;
            await using (var command = Command("SELECT Status, COUNT(*), SUM(Attempts > 1), MAX(Attempts) FROM OutgoingMail WHERE Key >= $lo AND Key < $hi GROUP BY Status"))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var status = reader.GetInt32(0);
                    if (status is >= 0 and < 4)
                        counts[status] = reader.GetInt32(1);
                    retried += reader.GetInt32(2);
                    maxAttempts = Math.Max(maxAttempts, reader.GetInt32(3));
                }
            }

            var errors = new List<string>();
            await using (var command = Command("SELECT LastError, COUNT(*) FROM OutgoingMail WHERE Key >= $lo AND Key < $hi AND LastError IS NOT NULL GROUP BY LastError ORDER BY COUNT(*) DESC LIMIT 5"))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                    errors.Add($"{reader.GetInt32(1)} × {reader.GetString(0)}");
            }

            return new OutboxRows(counts[0], counts[1], counts[2], counts[3], retried, maxAttempts, errors);
        }

        private SqliteCommand Command(string sql)
        {
            var command = db.CreateCommand();
#pragma warning disable CA2100 // constant SQL; the key range goes in as parameters
            command.CommandText = sql;
#pragma warning restore CA2100
            command.Parameters.AddWithValue("$lo", prefix);
            command.Parameters.AddWithValue("$hi", _upper);
            return command;
        }
    }
}
