using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>A person of the test world: their account id, address and name as stored.</summary>
public sealed record TestPerson(string Id, string Email, string FullName, string Language, string TimeZoneId);

/// <summary>
/// Arranges what reminders are made of (people, cohorts, enrolments, live sessions) through the app's own services
/// and database, and reads back the outbox.
/// </summary>
public static class MailWorld
{
    public const string OrganiserZone = "Africa/Addis_Ababa";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<TestPerson> PersonAsync(LearningAppFactory app, string fullName, string language = "en", string timeZone = "Etc/UTC", string role = Roles.Trainee)
    {
        ArgumentNullException.ThrowIfNull(app);
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():n}@example.org";
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser
        {
            UserName = email, Email = email, EmailConfirmed = true, FullName = fullName, PreferredLanguage = language, TimeZoneId = timeZone,
            CreatedAt = app.Clock.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(user);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return new TestPerson(user.Id, email, fullName, language, timeZone);
    }

    /// <summary>A running cohort of the test course, with <paramref name="lecturer"/> on its staff.</summary>
    public static Task<int> CohortAsync(LearningAppFactory app, TestPerson? lecturer = null, int endsInDays = 30) =>
        TestCohorts.CreateAsync(app, staff: lecturer is null ? null : [(lecturer.Id, StaffRole.Lecturer)], endsInDays: endsInDays);

    /// <summary>Moves a cohort's first day back, so that its trainees can have been idle since before yesterday.</summary>
    public static Task StartedDaysAgoAsync(LearningAppFactory app, int cohortId, int days) =>
        app.WithDbAsync(db => db.Cohorts.Where(c => c.Id == cohortId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.StartsOn, c => c.StartsOn.AddDays(1 - days)), Ct));

    /// <summary>An active enrolment, decided at <paramref name="since"/> (the clock's now by default).</summary>
    public static Task EnrolAsync(LearningAppFactory app, int cohortId, TestPerson person, DateTime? since = null) =>
        app.WithDbAsync(async db =>
        {
            var at = since ?? app.Clock.GetUtcNow().UtcDateTime;
            db.Enrolments.Add(new Enrolment { CohortId = cohortId, UserId = person.Id, Status = EnrolmentStatus.Active, RequestedAt = at, DecidedAt = at });
            await db.SaveChangesAsync(Ct);
        });

    /// <summary>A session scheduled through the app's scheduling service, as an organiser in <see cref="OrganiserZone"/> would.</summary>
    public static async Task<LiveSession> SessionAsync(LearningAppFactory app, int cohortId, string title, DateTime startsAtUtc, params TestPerson[] lecturers)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<LiveSessionService>();
        var draft = Draft(title, startsAtUtc, lecturers.Select(l => l.Id).ToList());
        var session = await service.CreateAsync(cohortId, draft, lecturers.FirstOrDefault()?.Id ?? "", Ct);
        Assert.Equal(startsAtUtc, session.StartsAt);
        return session;
    }

    public static SessionDraft Draft(string title, DateTime startsAtUtc, IReadOnlyList<string> lecturerIds) =>
        new(title, "", Core.TimeZones.ToLocal(startsAtUtc, OrganiserZone), OrganiserZone, 60, "https://meet.example.org/room", false, lecturerIds);

    /// <summary>Moves a session to another start, through the scheduling service (which bumps its SEQUENCE).</summary>
    public static async Task MoveAsync(LearningAppFactory app, int sessionId, DateTime newStartUtc)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Core.Data.LearningDbContext>();
        var session = await db.LiveSessions.SingleAsync(s => s.Id == sessionId, Ct);
        var lecturers = await db.LiveSessionLecturers.Where(l => l.SessionId == sessionId).Select(l => l.UserId).ToListAsync(Ct);
        await scope.ServiceProvider.GetRequiredService<LiveSessionService>().UpdateAsync(session, Draft(session.Title, newStartUtc, lecturers), Ct);
    }

    public static async Task CancelAsync(LearningAppFactory app, int sessionId)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Core.Data.LearningDbContext>();
        var session = await db.LiveSessions.SingleAsync(s => s.Id == sessionId, Ct);
        await scope.ServiceProvider.GetRequiredService<LiveSessionService>().SetCancelledAsync(session, cancelled: true, Ct);
    }

    /// <summary>Runs the session sweep once (in a scope of its own) and returns how many mails it added.</summary>
    public static async Task<int> PlanSessionMailAsync(LearningAppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReminderPlanner>().PlanSessionMailAsync(Ct);
    }

    public static Task<List<OutgoingMail>> OutboxAsync(LearningAppFactory app) =>
        app.WithDbAsync(db => db.OutgoingMail.AsNoTracking().OrderBy(m => m.Id).ToListAsync(Ct));

    /// <summary>The clock's now, to the second: times that survive a trip through local time and back unchanged.</summary>
    public static DateTime Now(LearningAppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var now = app.Clock.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    /// <summary>A fixed-offset zone in which it is early afternoon at <paramref name="utc"/> (inside the nudges' daytime window).</summary>
    public static string AfternoonZone(DateTime utc)
    {
        var offset = 13 - utc.Hour;
        if (offset > 12)
            offset -= 24;
        if (offset < -11)
            offset += 24;
        // The Etc/GMT zones are named with the sign inverted: Etc/GMT-3 is three hours ahead of UTC.
        return offset == 0 ? "Etc/UTC" : $"Etc/GMT{(offset > 0 ? "-" : "+")}{Math.Abs(offset)}";
    }

    /// <summary>The messages that arrived for one address.</summary>
    public static List<MimeMessage> To(this TestSmtpServer smtp, string address)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        return smtp.Messages.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();
    }

    /// <summary>How many times each Message-ID arrived.</summary>
    public static Dictionary<string, int> CountByMessageId(this TestSmtpServer smtp)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        return smtp.Messages.GroupBy(m => m.MessageId ?? "(none)", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    /// <summary>The HTML part, decoded; a message without one fails the test.</summary>
    public static string Html(this MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.HtmlBody ?? throw new Xunit.Sdk.XunitException($"Message {message.MessageId} has no HTML part.");
    }

    /// <summary>The plain-text part, decoded; a message without one fails the test.</summary>
    public static string Text(this MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.TextBody ?? throw new Xunit.Sdk.XunitException($"Message {message.MessageId} has no plain-text part.");
    }

    /// <summary>The attached calendar file: its name and its text.</summary>
    public static (string FileName, string Text) Calendar(this MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var part = Assert.IsAssignableFrom<MimePart>(Assert.Single(message.Attachments));
        Assert.Equal("text/calendar", part.ContentType.MimeType);
        using var stream = new MemoryStream();
        part.Content!.DecodeTo(stream);
        return (part.FileName ?? "", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
