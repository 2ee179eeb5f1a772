using System.Net.Sockets;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Notifications;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>
/// Sends what is due in the outbox, in batches over one connection each. A batch is claimed first, so that two
/// dispatchers (two nodes, or a job started while another runs) never send the same row; each row is marked sent the
/// moment the server accepted it, so a crash repeats at most the one message in flight, and that one keeps its
/// Message-ID. Transient failures retry with backoff; permanent ones are kept with their reason.
/// </summary>
public sealed partial class MailDispatcher(
    LearningDbContext db,
    IMailTransport transport,
    MailComposer composer,
    IServiceProvider services,
    ILoggerFactory loggers,
    TimeProvider time,
    IOptions<MailOptions> options)
{
    /// <summary>How long a claim holds; a dispatcher that died frees its rows after this.</summary>
    public static readonly TimeSpan ClaimTime = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);
    private readonly ILogger _log = loggers.CreateLogger<MailDispatcher>();
    private readonly MailOptions _options = options.Value;

    /// <summary>Sends batches until nothing is due or <paramref name="budget"/> has passed; returns what happened.</summary>
    public async Task<DispatchResult> DispatchAsync(TimeSpan budget, CancellationToken ct = default)
    {
        var total = new DispatchResult();
        var until = time.GetUtcNow() + budget;
        while (time.GetUtcNow() < until)
        {
            var batch = await ClaimAsync(ct);
            if (batch.Count == 0)
                break;
            var result = await SendBatchAsync(batch, ct);
            total += result;
            if (result.ConnectionFailed)
                break;
        }

        return total;
    }

    private async Task<List<OutgoingMail>> ClaimAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var token = Guid.NewGuid();
        var claimedUntil = now + ClaimTime;
        var ids = await db.OutgoingMail.AsNoTracking()
            .Where(m => m.Status == MailStatus.Pending && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.Id).Select(m => m.Id).Take(_options.BatchSize).ToListAsync(ct);
        if (ids.Count == 0)
            return [];
        // One statement: of two dispatchers racing for a row, only one update matches it.
        await db.OutgoingMail
            .Where(m => ids.Contains(m.Id) && m.Status == MailStatus.Pending && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimToken, token).SetProperty(m => m.ClaimedUntil, claimedUntil), ct);
        return await db.OutgoingMail.AsNoTracking().Where(m => m.ClaimToken == token).OrderBy(m => m.Id).ToListAsync(ct);
    }

    private async Task<DispatchResult> SendBatchAsync(List<OutgoingMail> batch, CancellationToken ct)
    {
        var result = new DispatchResult();
        var ready = new List<(OutgoingMail Mail, MimeMessage Message)>();
        var context = await BatchContext.LoadAsync(db, batch, ct);
        await using (var renderer = new MailRenderer(services, loggers))
        {
            foreach (var mail in batch)
            {
                if (context.WhyNot(mail, time.GetUtcNow().UtcDateTime) is { } reason)
                {
                    await SkipAsync(mail, reason, ct);
                    result = result with { Skipped = result.Skipped + 1 };
                    continue;
                }

                try
                {
                    ready.Add((mail, await composer.ComposeAsync(mail, renderer, context.SessionOf(mail), context.AttachmentOf(mail))));
                }
                catch (MailCompositionException e)
                {
                    await FailAsync(mail, e.Message, ct);
                    result = result with { Failed = result.Failed + 1 };
                }
            }
        }

        if (ready.Count == 0)
            return result;

        IMailConnection? connection = null;
        try
        {
            connection = await transport.ConnectAsync(ct);
        }
        catch (Exception e) when (IsTransient(e))
        {
            LogConnectFailed(e.Message);
            foreach (var (mail, _) in ready)
                await RetryLaterAsync(mail, $"Could not connect to the mail server: {e.Message}", ct);
            return result with { Retried = result.Retried + ready.Count, ConnectionFailed = true };
        }

        try
        {
            for (var i = 0; i < ready.Count; i++)
            {
                var (mail, message) = ready[i];
                // A batch slower than its claim (a slow server, a paused process) must not go on sending rows that
                // another dispatcher takes over once the claim runs out: stop well before, the next claim sends the rest.
                if (ct.IsCancellationRequested || time.GetUtcNow().UtcDateTime >= mail.ClaimedUntil - (ClaimTime / 2))
                {
                    await ReleaseAsync(ready.Skip(i).Select(r => r.Mail).ToList());
                    break;
                }

                try
                {
                    // A message on the wire is finished, never abandoned half-way by a shutdown: cancelled between the
                    // server's acceptance and the mark below, it would be sent again. The SMTP timeout still bounds it.
                    await connection.SendAsync(message, CancellationToken.None);
                    await MarkSentAsync(mail);
                    result = result with { Sent = result.Sent + 1 };
                }
                catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
                {
                    // 5xx: the server refuses this message for good (unknown mailbox, rejected sender or content).
                    await FailAsync(mail, $"{(int)e.StatusCode} {e.Message}", ct);
                    result = result with { Failed = result.Failed + 1 };
                }
                catch (SmtpCommandException e)
                {
                    await RetryLaterAsync(mail, $"{(int)e.StatusCode} {e.Message}", ct);
                    result = result with { Retried = result.Retried + 1 };
                }
                catch (Exception e) when (IsTransient(e))
                {
                    // The line broke: this message and the rest of the batch go back to wait for the next run.
                    LogConnectionLost(e.Message);
                    for (var j = i; j < ready.Count; j++)
                        await RetryLaterAsync(ready[j].Mail, $"The connection to the mail server broke: {e.Message}", ct);
                    return result with { Retried = result.Retried + ready.Count - i, ConnectionFailed = true };
                }
            }
        }
        finally
        {
            await connection.DisposeAsync();
        }

        return result;
    }

    private static bool IsTransient(Exception e) =>
        e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException
            or TimeoutException or UnauthorizedAccessException or MailKit.Security.AuthenticationException or MailKit.Security.SslHandshakeException;

    private Task<int> MarkSentAsync(OutgoingMail mail)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // Not cancellable: the server has the message, and the row must say so whatever happens next.
        return db.OutgoingMail.Where(m => m.Id == mail.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, MailStatus.Sent)
            .SetProperty(m => m.SentAt, now)
            .SetProperty(m => m.Attempts, mail.Attempts + 1)
            .SetProperty(m => m.LastError, (string?)null)
            .SetProperty(m => m.ClaimToken, (Guid?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }

    /// <summary>Gives up this run's claim on rows it has not sent; rows another run holds by now stay as they are.</summary>
    private Task<int> ReleaseAsync(List<OutgoingMail> mails)
    {
        var ids = mails.Select(m => m.Id).ToList();
        var token = mails[0].ClaimToken;
        return db.OutgoingMail.Where(m => ids.Contains(m.Id) && m.ClaimToken == token).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.ClaimToken, (Guid?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }

    private Task<int> FailAsync(OutgoingMail mail, string reason, CancellationToken ct) =>
        db.OutgoingMail.Where(m => m.Id == mail.Id && m.ClaimToken == mail.ClaimToken).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, MailStatus.Failed)
            .SetProperty(m => m.Attempts, mail.Attempts + 1)
            .SetProperty(m => m.LastError, Truncate(reason))
            .SetProperty(m => m.ClaimToken, (Guid?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), ct);

    private Task<int> SkipAsync(OutgoingMail mail, string reason, CancellationToken ct) =>
        db.OutgoingMail.Where(m => m.Id == mail.Id && m.ClaimToken == mail.ClaimToken).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, MailStatus.Skipped)
            .SetProperty(m => m.LastError, Truncate(reason))
            .SetProperty(m => m.ClaimToken, (Guid?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), ct);

    private Task<int> RetryLaterAsync(OutgoingMail mail, string reason, CancellationToken ct)
    {
        var attempts = mail.Attempts + 1;
        if (attempts >= _options.MaxAttempts)
            return FailAsync(mail, $"Gave up after {attempts} attempts. Last: {reason}", ct);
        var now = time.GetUtcNow().UtcDateTime;
        var next = now + Backoff(attempts);
        return db.OutgoingMail.Where(m => m.Id == mail.Id && m.ClaimToken == mail.ClaimToken).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.LastError, Truncate(reason))
            .SetProperty(m => m.ClaimToken, (Guid?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }

    /// <summary>30 s, 1 min, 2 min, 4 min... up to an hour.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));

    private static string Truncate(string s) => s.Length <= 1000 ? s : s[..1000];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail server unreachable, the batch waits for a later run: {Reason}")]
    private partial void LogConnectFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection to the mail server lost during a batch: {Reason}")]
    private partial void LogConnectionLost(string reason);

    /// <summary>What a batch needs to know about the world as it is now, read in a few queries.</summary>
    private sealed class BatchContext
    {
        private readonly Dictionary<int, LiveSession> _sessions;
        private readonly HashSet<(string, string)> _turnedOff;
        private readonly HashSet<(int CohortId, string UserId)> _completed;
        private readonly Dictionary<int, CertificateForMail> _certificates;

        private BatchContext(Dictionary<int, LiveSession> sessions, HashSet<(string, string)> turnedOff, HashSet<(int, string)> completed,
            Dictionary<int, CertificateForMail> certificates)
        {
            _sessions = sessions;
            _turnedOff = turnedOff;
            _completed = completed;
            _certificates = certificates;
        }

        public static async Task<BatchContext> LoadAsync(LearningDbContext db, List<OutgoingMail> batch, CancellationToken ct)
        {
            var sessionIds = batch.Where(m => m.Kind is MailKinds.SessionReminder or MailKinds.SessionUpdate)
                .Select(m => MailComposer.Read<SessionMailModel>(m).SessionId).Distinct().ToList();
            var sessions = await db.LiveSessions.AsNoTracking().Include(s => s.Cohort)
                .Where(s => sessionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
            var userIds = batch.Where(m => m.UserId is not null).Select(m => m.UserId!).Distinct().ToList();
            var kinds = batch.Select(m => m.Kind).Distinct().ToList();
            var prefs = await db.NotificationPreferences.AsNoTracking()
                .Where(p => userIds.Contains(p.UserId) && kinds.Contains(p.Kind)).ToListAsync(ct);
            var turnedOff = prefs.Where(p => PreferenceLookup.Decide(p, p.Kind) != Delivery.Alone).Select(p => (p.UserId, p.Kind)).ToHashSet();
            // Unsubscribed from a kind whose default is on, or never opted in to one whose default is off.
            foreach (var mail in batch.Where(m => m.UserId is not null && !prefs.Any(p => p.UserId == m.UserId && p.Kind == m.Kind)))
            {
                if (PreferenceLookup.Decide(null, mail.Kind) != Delivery.Alone)
                    turnedOff.Add((mail.UserId!, mail.Kind));
            }

            var deadlineCohorts = batch.Where(m => m.Kind == MailKinds.Deadline && m.CohortId is not null).Select(m => m.CohortId!.Value).Distinct().ToList();
            var completed = deadlineCohorts.Count == 0
                ? []
                : (await db.CompletionRecords.AsNoTracking()
                    .Join(db.Enrolments, r => r.EnrolmentId, e => e.Id, (r, e) => new { e.CohortId, e.UserId })
                    .Where(x => deadlineCohorts.Contains(x.CohortId) && userIds.Contains(x.UserId))
                    .ToListAsync(ct)).Select(x => (x.CohortId, x.UserId)).ToHashSet();
            var certificateIds = batch.Where(m => m.Kind == MailKinds.CertificateIssued)
                .Select(m => MailComposer.Read<CertificateMailModel>(m).CertificateId).Distinct().ToList();
            var certificates = certificateIds.Count == 0
                ? []
                : await db.Certificates.AsNoTracking().Where(c => certificateIds.Contains(c.Id))
                    .Select(c => new CertificateForMail(c.Id, c.Serial, c.Status, db.CertificateFiles.Where(f => f.CertificateId == c.Id).Select(f => f.Pdf).FirstOrDefault()))
                    .ToDictionaryAsync(c => c.Id, ct);
            return new BatchContext(sessions, turnedOff, completed, certificates);
        }

        public MailAttachment? AttachmentOf(OutgoingMail mail) =>
            mail.Kind == MailKinds.CertificateIssued
            && _certificates.GetValueOrDefault(MailComposer.Read<CertificateMailModel>(mail).CertificateId) is { Pdf: { } pdf } certificate
                ? new MailAttachment($"certificate-{certificate.Serial}.pdf", pdf, "application/pdf")
                : null;

        public LiveSession? SessionOf(OutgoingMail mail) =>
            mail.Kind is MailKinds.SessionReminder or MailKinds.SessionUpdate
                ? _sessions.GetValueOrDefault(MailComposer.Read<SessionMailModel>(mail).SessionId)
                : null;

        /// <summary>Why this mail must not go out any more, or null when it still should.</summary>
        public string? WhyNot(OutgoingMail mail, DateTime now)
        {
            if (mail.UserId is not null && _turnedOff.Contains((mail.UserId, mail.Kind)))
                return "The recipient turned this kind of mail off.";
            switch (mail.Kind)
            {
                case MailKinds.SessionReminder:
                {
                    var model = MailComposer.Read<SessionMailModel>(mail);
                    if (!_sessions.TryGetValue(model.SessionId, out var session))
                        return "The session no longer exists.";
                    if (session.Cancelled)
                        return "The session was cancelled after this reminder was planned.";
                    if (session.StartsAt != model.StartsAtUtc)
                        return "The session was moved after this reminder was planned.";
                    if (session.StartsAt <= now)
                        return "The session had started before the reminder could go out.";
                    break;
                }

                case MailKinds.SessionUpdate:
                {
                    var model = MailComposer.Read<SessionMailModel>(mail);
                    if (!_sessions.TryGetValue(model.SessionId, out var session))
                        return "The session no longer exists.";
                    if (session.Sequence != model.Sequence)
                        return "A newer change of the session superseded this update.";
                    break;
                }

                case MailKinds.CertificateIssued:
                {
                    var model = MailComposer.Read<CertificateMailModel>(mail);
                    if (!_certificates.TryGetValue(model.CertificateId, out var certificate))
                        return "The certificate no longer exists.";
                    if (certificate.Status != CertificateStatus.Valid)
                        return $"The certificate was {certificate.Status.ToString().ToLowerInvariant()} before its mail could go out.";
                    if (certificate.Pdf is null)
                        return "The certificate's PDF is missing; it is sent when the certificate job stores it.";
                    break;
                }

                case MailKinds.Deadline when mail.CohortId is { } cohortId && mail.UserId is { } userId:
                    if (_completed.Contains((cohortId, userId)))
                        return "The trainee completed the cohort before the reminder could go out.";
                    break;
            }

            return null;
        }
    }
}

internal sealed record CertificateForMail(int Id, string Serial, CertificateStatus Status, byte[]? Pdf);

public sealed record DispatchResult(int Sent = 0, int Failed = 0, int Retried = 0, int Skipped = 0, bool ConnectionFailed = false)
{
    public static DispatchResult operator +(DispatchResult a, DispatchResult b) =>
        new(a.Sent + b.Sent, a.Failed + b.Failed, a.Retried + b.Retried, a.Skipped + b.Skipped, a.ConnectionFailed || b.ConnectionFailed);
}
