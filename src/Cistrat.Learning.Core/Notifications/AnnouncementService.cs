using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Notifications;

/// <summary>A coordinator's message to a cohort: stored with its recipients and their mail in one transaction.</summary>
public sealed class AnnouncementService(LearningDbContext db, TimeProvider time)
{
    public const int SubjectMaxLength = 200;
    public const int BodyMaxLength = 10_000;

    /// <summary>Posts the announcement; returns it with the number of people it went to (mail for those who want it singly).</summary>
    public async Task<Announcement> PostAsync(int cohortId, string authorId, string subject, string body, AnnouncementAudience audience, string? country, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        var now = time.GetUtcNow().UtcDateTime;
        var cohort = await db.Cohorts.AsNoTracking().Where(c => c.Id == cohortId)
            .Select(c => new { c.Id, c.Name, c.NudgeAfterDays, c.CourseId }).SingleAsync(ct);
        var author = await db.Users.AsNoTracking().Where(u => u.Id == authorId).Select(u => u.FullName).SingleAsync(ct);
        var userIds = await AudienceAsync(cohort.Id, cohort.CourseId, cohort.NudgeAfterDays ?? 7, audience, country, now, ct);

        // SQL Server's retrying strategy accepts a transaction only inside it (SQLite's runs the delegate once). The
        // failed attempt was rolled back: a retry starts from nothing tracked and a new announcement.
        var retry = false;
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            if (retry)
                db.ChangeTracker.Clear();
            retry = true;
            var announcement = new Announcement
            {
                CohortId = cohortId,
                AuthorId = authorId,
                Subject = subject.Trim(),
                Body = body.Trim(),
                Audience = audience,
                Country = audience == AnnouncementAudience.Country ? country?.Trim().ToUpperInvariant() : null,
                RecipientCount = userIds.Count,
                CreatedAt = now,
            };
            announcement.Recipients.AddRange(userIds.Select(id => new AnnouncementRecipient { UserId = id }));

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.Announcements.Add(announcement);
            await db.SaveChangesAsync(ct);
            var people = await Recipient.LoadAsync(db, userIds, ct);
            var prefs = await PreferenceLookup.LoadAsync(db, [MailKinds.Announcement], ct);
            var model = new AnnouncementMailModel(announcement.Id, cohortId, cohort.Name, announcement.Subject, announcement.Body, author);
            var mails = people.Values
                .Where(p => prefs.SendsSingly(p.UserId, MailKinds.Announcement))
                .Select(p => p.Mail($"announcement:{announcement.Id}:{p.UserId}", MailKinds.Announcement, model, now, cohortId))
                .ToList();
            db.OutgoingMail.AddRange(mails);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return announcement;
        });
    }

    /// <summary>Active trainees of the cohort the audience names.</summary>
    public async Task<List<string>> AudienceAsync(int cohortId, int courseId, int inactiveDays, AnnouncementAudience audience, string? country, DateTime now, CancellationToken ct = default)
    {
        var active = db.Enrolments.AsNoTracking().Where(e => e.CohortId == cohortId && e.Status == EnrolmentStatus.Active);
        switch (audience)
        {
            case AnnouncementAudience.NotCompleted:
                active = active.Where(e => !db.CompletionRecords.Any(r => r.EnrolmentId == e.Id));
                break;
            case AnnouncementAudience.Country:
                var code = country?.Trim().ToUpperInvariant();
                active = active.Where(e => db.Users.Any(u => u.Id == e.UserId && u.Country == code));
                break;
            case AnnouncementAudience.Inactive:
                var since = now.AddDays(-inactiveDays);
                active = active.Where(e => (e.DecidedAt ?? e.RequestedAt) < since
                    && !db.LessonProgress.Any(p => p.UserId == e.UserId && p.CourseId == courseId && p.LastVisitedAt >= since)
                    && !db.QuizAttempts.Any(a => a.EnrolmentId == e.Id && (a.LastSavedAt ?? a.StartedAt) >= since)
                    // Attending the cohort's live sessions is activity too, as the inactivity nudge counts it.
                    && !db.AttendanceVisits.Any(v => v.UserId == e.UserId && v.LastSeenAt >= since
                        && db.LiveSessions.Any(s => s.Id == v.SessionId && s.CohortId == cohortId)));
                break;
        }

        return await active.Select(e => e.UserId).Distinct().ToListAsync(ct);
    }
}
