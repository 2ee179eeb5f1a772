using System.Globalization;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Core.Notifications;

/// <summary>
/// Works out, from the database alone, which reminders are due at an instant, and adds them to the outbox under
/// keys naming (recipient, subject, occasion). Nothing is scheduled ahead: a session moved or cancelled simply stops
/// being due, and a sweep run twice, or on two nodes at once, finds its keys already there.
/// </summary>
public sealed class ReminderPlanner(LearningDbContext db, TimeProvider time, IOptions<ReminderOptions> options)
{
    private readonly ReminderOptions _options = options.Value;

    /// <summary>Reminders before live sessions, and an update for each session changed since it was announced.</summary>
    public async Task<int> PlanSessionMailAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var leads = _options.SessionLeadTimes.Where(l => l > TimeSpan.Zero).Order().ToList();
        if (leads.Count == 0 && _options.UpdateSettleTime < TimeSpan.Zero)
            return 0;
        var horizon = now + (leads.Count > 0 ? leads[^1] : TimeSpan.Zero);
        var settled = now - _options.UpdateSettleTime;
        var recentChange = now - TimeSpan.FromDays(2);
        var sessions = await db.LiveSessions.AsNoTracking()
            .Where(s => (!s.Cancelled && s.StartsAt > now && s.StartsAt <= horizon)
                || (s.Sequence > 0 && s.UpdatedAt <= settled && s.UpdatedAt >= recentChange && s.StartsAt > now))
            .Select(s => new
            {
                s.Id, s.CohortId, s.Title, s.StartsAt, s.DurationMinutes, s.OrganiserTimeZoneId, s.AvLink, s.Cancelled,
                s.Sequence, s.UpdatedAt, CohortName = s.Cohort!.Name, CourseTitle = s.Cohort.Course!.Title,
                Lecturers = s.Lecturers.Select(l => l.UserId).ToList(),
            })
            .ToListAsync(ct);
        if (sessions.Count == 0)
            return 0;

        var cohortIds = sessions.Select(s => s.CohortId).Distinct().ToList();
        var trainees = await db.Enrolments.AsNoTracking()
            .Where(e => cohortIds.Contains(e.CohortId) && e.Status == EnrolmentStatus.Active)
            .Select(e => new { e.CohortId, e.UserId })
            .ToListAsync(ct);
        var traineesOf = trainees.ToLookup(t => t.CohortId, t => t.UserId);
        var people = await Recipient.LoadAsync(db, [.. trainees.Select(t => t.UserId), .. sessions.SelectMany(s => s.Lecturers)], ct);
        var prefs = await PreferenceLookup.LoadAsync(db, [MailKinds.SessionReminder, MailKinds.SessionUpdate], ct);

        var mails = new List<OutgoingMail>();
        foreach (var s in sessions)
        {
            var audience = traineesOf[s.CohortId].Concat(s.Lecturers).Distinct(StringComparer.Ordinal);
            // The nearest lead that has begun: a session scheduled 3 hours ahead gets its "24 h" reminder now and its
            // "1 h" one later; one scheduled 30 minutes ahead gets the "1 h" one only.
            var lead = leads.Cast<TimeSpan?>().FirstOrDefault(l => s.StartsAt - l!.Value <= now);
            var reminder = !s.Cancelled && lead is not null;
            var update = s.Sequence > 0 && s.UpdatedAt <= settled && s.UpdatedAt >= recentChange;
            foreach (var userId in audience)
            {
                if (!people.TryGetValue(userId, out var person))
                    continue;
                if (reminder && prefs.SendsSingly(userId, MailKinds.SessionReminder))
                {
                    var occasion = Occasion(lead!.Value);
                    var model = new SessionMailModel(s.Id, s.Sequence, s.Title, s.CohortName, s.CourseTitle, s.StartsAt,
                        s.DurationMinutes, s.OrganiserTimeZoneId, s.AvLink, s.Cancelled, occasion);
                    // The start time is part of the key: a session moved to another time is reminded of again.
                    mails.Add(person.Mail($"session-reminder:{s.Id}:{occasion}:{s.StartsAt.Ticks}:{userId}", MailKinds.SessionReminder, model, now, s.CohortId));
                }

                if (update && prefs.SendsSingly(userId, MailKinds.SessionUpdate))
                {
                    var model = new SessionMailModel(s.Id, s.Sequence, s.Title, s.CohortName, s.CourseTitle, s.StartsAt,
                        s.DurationMinutes, s.OrganiserTimeZoneId, s.AvLink, s.Cancelled, "update");
                    mails.Add(person.Mail($"session-update:{s.Id}:{s.Sequence}:{userId}", MailKinds.SessionUpdate, model, now, s.CohortId));
                }
            }
        }

        return await MailOutbox.AddNewAsync(db, mails, ct);
    }

    /// <summary>
    /// One friendly nudge per spell of inactivity to trainees of running cohorts with nothing done for the cohort's
    /// nudge period, sent in their daytime.
    /// </summary>
    public async Task<int> PlanNudgesAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var cohorts = await db.Cohorts.AsNoTracking()
            .Where(c => c.NudgeAfterDays != null && c.StartsOn <= today.AddDays(1) && c.EndsOn >= today.AddDays(-1))
            .Select(c => new { c.Id, c.Name, c.CourseId, c.TimeZoneId, c.StartsOn, c.EndsOn, Days = c.NudgeAfterDays!.Value, CourseTitle = c.Course!.Title, CourseSlug = c.Course.Slug })
            .ToListAsync(ct);
        cohorts = cohorts.Where(c => IsRunning(c.StartsOn, c.EndsOn, c.TimeZoneId, now)).ToList();
        if (cohorts.Count == 0)
            return 0;

        var prefs = await PreferenceLookup.LoadAsync(db, [MailKinds.InactivityNudge], ct);
        var mails = new List<OutgoingMail>();
        foreach (var cohort in cohorts)
        {
            // Idle time counts from the cohort's first day at the earliest: enrolling a month ahead is not a month idle.
            var started = TimeZoneInfo.ConvertTimeToUtc(cohort.StartsOn.ToDateTime(TimeOnly.MinValue), TimeZones.Find(cohort.TimeZoneId));
            var activity = await ActivityAsync(cohort.Id, cohort.CourseId, started, ct);
            var idle = activity.Where(a => now - a.LastActivity >= TimeSpan.FromDays(cohort.Days)).ToList();
            if (idle.Count == 0)
                continue;
            var people = await Recipient.LoadAsync(db, idle.Select(a => a.UserId).ToList(), ct);
            var outline = await CourseOutline.LoadAsync(db, cohort.CourseId, ct);
            foreach (var a in idle)
            {
                if (!people.TryGetValue(a.UserId, out var person) || !InDaytime(person, now) || !prefs.SendsSingly(a.UserId, MailKinds.InactivityNudge))
                    continue;
                var done = await CompletedLessonsAsync(a.UserId, cohort.CourseId, ct);
                var next = outline.NextAfter(done);
                var model = new NudgeMailModel(cohort.Id, cohort.Name, cohort.CourseTitle, cohort.CourseSlug,
                    (int)(now - a.LastActivity).TotalDays, outline.PercentOf(done), next?.Title,
                    next is null ? null : $"/courses/{cohort.CourseSlug}/lessons/{next.Slug}");
                // The spell is named by its last activity: one nudge per spell, however long it lasts.
                mails.Add(person.Mail($"nudge:{a.EnrolmentId}:{a.LastActivity.Ticks}", MailKinds.InactivityNudge, model, now, cohort.Id));
            }
        }

        return await MailOutbox.AddNewAsync(db, mails, ct);
    }

    /// <summary>Reminders a week and a day (configurable) before a cohort ends, to trainees who have not completed it.</summary>
    public async Task<int> PlanDeadlinesAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var days = _options.DeadlineDays.Where(d => d >= 0).Distinct().OrderDescending().ToList();
        if (days.Count == 0)
            return 0;
        var today = DateOnly.FromDateTime(now);
        var latest = today.AddDays(days[0] + 1);
        var cohorts = await db.Cohorts.AsNoTracking()
            .Where(c => c.EndsOn >= today.AddDays(-1) && c.EndsOn <= latest)
            .Select(c => new { c.Id, c.Name, c.CourseId, c.TimeZoneId, c.EndsOn, CourseTitle = c.Course!.Title, CourseSlug = c.Course.Slug })
            .ToListAsync(ct);
        var prefs = await PreferenceLookup.LoadAsync(db, [MailKinds.Deadline], ct);
        var mails = new List<OutgoingMail>();
        foreach (var cohort in cohorts)
        {
            var localToday = DateOnly.FromDateTime(TimeZones.ToLocal(now, cohort.TimeZoneId));
            var left = cohort.EndsOn.DayNumber - localToday.DayNumber;
            if (left < 0)
                continue;
            // The occasion is the smallest threshold reached: a cohort 5 days from its end is in its "7 days" window.
            var threshold = days.Where(d => left <= d).Cast<int?>().LastOrDefault();
            if (threshold is null)
                continue;
            var open = await db.Enrolments.AsNoTracking()
                .Where(e => e.CohortId == cohort.Id && e.Status == EnrolmentStatus.Active
                    && !db.CompletionRecords.Any(r => r.EnrolmentId == e.Id))
                .Select(e => e.UserId).ToListAsync(ct);
            var people = await Recipient.LoadAsync(db, open, ct);
            var outline = await CourseOutline.LoadAsync(db, cohort.CourseId, ct);
            foreach (var userId in open)
            {
                if (!people.TryGetValue(userId, out var person) || !InDaytime(person, now) || !prefs.SendsSingly(userId, MailKinds.Deadline))
                    continue;
                var done = await CompletedLessonsAsync(userId, cohort.CourseId, ct);
                var model = new DeadlineMailModel(cohort.Id, cohort.Name, cohort.CourseTitle, cohort.CourseSlug, cohort.EndsOn, left, outline.PercentOf(done));
                mails.Add(person.Mail($"deadline:{cohort.Id}:{threshold}:{userId}", MailKinds.Deadline, model, now, cohort.Id));
            }
        }

        return await MailOutbox.AddNewAsync(db, mails, ct);
    }

    /// <summary>The weekly digest for those who asked for it, on Monday from 08:00 of their own week.</summary>
    public async Task<int> PlanDigestsAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var subscribers = await db.NotificationPreferences.AsNoTracking()
            .Where(p => p.Kind == MailKinds.Digest && p.Enabled)
            .Select(p => p.UserId).ToListAsync(ct);
        if (subscribers.Count == 0)
            return 0;
        var people = await Recipient.LoadAsync(db, subscribers, ct);
        var mails = new List<OutgoingMail>();
        foreach (var person in people.Values)
        {
            var local = person.LocalAt(now);
            if (local.DayOfWeek != DayOfWeek.Monday || local.Hour < 8)
                continue;
            var week = $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):00}";
            var model = await DigestAsync(person.UserId, DateOnly.FromDateTime(local), now, ct);
            if (model.Cohorts.Count == 0 && model.Sessions.Count == 0 && model.Announcements.Count == 0)
                continue;
            mails.Add(person.Mail($"digest:{person.UserId}:{week}", MailKinds.Digest, model, now, cohortId: null));
        }

        return await MailOutbox.AddNewAsync(db, mails, ct);
    }

    private async Task<DigestMailModel> DigestAsync(string userId, DateOnly weekOf, DateTime now, CancellationToken ct)
    {
        var enrolments = await db.Enrolments.AsNoTracking()
            .Where(e => e.UserId == userId && e.Status == EnrolmentStatus.Active && e.Cohort!.EndsOn >= DateOnly.FromDateTime(now).AddDays(-7))
            .Select(e => new { e.CohortId, e.Cohort!.Name, e.Cohort.CourseId, e.Cohort.EndsOn, CourseTitle = e.Cohort.Course!.Title, CourseSlug = e.Cohort.Course.Slug })
            .ToListAsync(ct);
        var cohorts = new List<DigestCohort>();
        foreach (var e in enrolments)
        {
            var outline = await CourseOutline.LoadAsync(db, e.CourseId, ct);
            var done = await CompletedLessonsAsync(userId, e.CourseId, ct);
            cohorts.Add(new DigestCohort(e.CohortId, e.Name, e.CourseTitle, e.CourseSlug, outline.PercentOf(done), e.EndsOn));
        }

        var cohortIds = enrolments.Select(e => e.CohortId).ToList();
        var weekAhead = now.AddDays(7);
        var sessions = await db.LiveSessions.AsNoTracking()
            .Where(s => (cohortIds.Contains(s.CohortId) || s.Lecturers.Any(l => l.UserId == userId)) && s.StartsAt > now && s.StartsAt <= weekAhead)
            .OrderBy(s => s.StartsAt)
            .Select(s => new DigestSession(s.Id, s.Title, s.Cohort!.Name, s.StartsAt, s.Cancelled))
            .ToListAsync(ct);
        var weekAgo = now.AddDays(-7);
        var announcements = await db.Announcements.AsNoTracking()
            .Where(a => a.CreatedAt >= weekAgo && a.Recipients.Any(r => r.UserId == userId))
            .OrderByDescending(a => a.CreatedAt)
            .Select(a => new DigestAnnouncement(a.Id, db.Cohorts.Where(c => c.Id == a.CohortId).Select(c => c.Name).First(), a.Subject, a.CreatedAt))
            .ToListAsync(ct);
        return new DigestMailModel(weekOf, cohorts, sessions, announcements);
    }

    /// <summary>Last sign of each active, not yet completed trainee of a cohort: the cohort's start or their enrolment, lessons, quizzes, live sessions.</summary>
    private async Task<List<TraineeActivity>> ActivityAsync(int cohortId, int courseId, DateTime cohortStarted, CancellationToken ct)
    {
        var enrolments = await db.Enrolments.AsNoTracking()
            .Where(e => e.CohortId == cohortId && e.Status == EnrolmentStatus.Active && !db.CompletionRecords.Any(r => r.EnrolmentId == e.Id))
            .Select(e => new { e.Id, e.UserId, Since = e.DecidedAt ?? e.RequestedAt })
            .ToListAsync(ct);
        var users = enrolments.Select(e => e.UserId).ToList();
        var lessons = await db.LessonProgress.AsNoTracking()
            .Where(p => p.CourseId == courseId && users.Contains(p.UserId))
            .GroupBy(p => p.UserId).Select(g => new { UserId = g.Key, At = g.Max(p => p.LastVisitedAt) })
            .ToDictionaryAsync(x => x.UserId, x => x.At, ct);
        var quizzes = await db.QuizAttempts.AsNoTracking()
            .Where(a => users.Contains(a.UserId) && db.Enrolments.Any(e => e.Id == a.EnrolmentId && e.CohortId == cohortId))
            .GroupBy(a => a.UserId).Select(g => new { UserId = g.Key, At = g.Max(a => a.LastSavedAt ?? a.StartedAt) })
            .ToDictionaryAsync(x => x.UserId, x => x.At, ct);
        var visits = await db.AttendanceVisits.AsNoTracking()
            .Where(v => users.Contains(v.UserId) && db.LiveSessions.Any(s => s.Id == v.SessionId && s.CohortId == cohortId))
            .GroupBy(v => v.UserId).Select(g => new { UserId = g.Key, At = g.Max(v => v.LastSeenAt) })
            .ToDictionaryAsync(x => x.UserId, x => x.At, ct);
        return enrolments.Select(e => new TraineeActivity(e.Id, e.UserId, Max(e.Since, cohortStarted,
            lessons.GetValueOrDefault(e.UserId), quizzes.GetValueOrDefault(e.UserId), visits.GetValueOrDefault(e.UserId)))).ToList();
    }

    private Task<List<int>> CompletedLessonsAsync(string userId, int courseId, CancellationToken ct) =>
        db.LessonProgress.AsNoTracking()
            .Where(p => p.UserId == userId && p.CourseId == courseId && p.CompletedAt != null)
            .Select(p => p.LessonId).ToListAsync(ct);

    private static DateTime Max(params DateTime[] values) => values.Max();

    private bool InDaytime(Recipient person, DateTime now)
    {
        var hour = person.LocalAt(now).Hour;
        return hour >= _options.DaytimeStartHour && hour < _options.DaytimeEndHour;
    }

    private static bool IsRunning(DateOnly startsOn, DateOnly endsOn, string timeZoneId, DateTime now)
    {
        var today = DateOnly.FromDateTime(TimeZones.ToLocal(now, timeZoneId));
        return startsOn <= today && today <= endsOn;
    }

    private static string Occasion(TimeSpan lead) =>
        lead.TotalHours >= 1 && lead.TotalHours == Math.Floor(lead.TotalHours) ? $"{lead.TotalHours:0}h" : $"{lead.TotalMinutes:0}m";

    private sealed record TraineeActivity(int EnrolmentId, string UserId, DateTime LastActivity);
}
