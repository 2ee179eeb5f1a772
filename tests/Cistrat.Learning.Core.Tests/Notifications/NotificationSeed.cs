using System.Text.Json;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Quizzes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Core.Tests.Notifications;

/// <summary>A course's ids: the lessons by slug.</summary>
internal sealed record SeededCourse(int Id, string Slug, string Title, IReadOnlyDictionary<string, int> Lessons, int QuizId);

/// <summary>
/// Rows the notification tests start from, written straight through <see cref="LearningDbContext"/>; each call uses a
/// context of its own, as the jobs do. Times default to the clock's now.
/// </summary>
internal sealed class NotificationSeed(SqliteDatabase database, TimeProvider clock)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Two modules written in the opposite of their reading order: "basics" (lessons "intro", "terms", and "old",
    /// retired) then "practice" ("first-steps", "review"). Reading order: intro, terms, first-steps, review.
    /// </summary>
    public async Task<SeededCourse> CourseAsync(string slug = "data", string title = "Data for Decisions")
    {
        await using var db = CreateContext();
        var course = new Course { Slug = slug, Title = title, Summary = "", Language = "en", Licence = "CC-BY-4.0", ImportedAt = Now };
        db.Courses.Add(course);
        await db.SaveChangesAsync(Ct);
        var practice = new Module { CourseId = course.Id, Slug = "practice", Title = "Practice", Position = 2 };
        practice.Lessons.Add(Lesson(course.Id, "review", "Review", 2));
        practice.Lessons.Add(Lesson(course.Id, "first-steps", "First steps", 1));
        var basics = new Module { CourseId = course.Id, Slug = "basics", Title = "Basics", Position = 1 };
        basics.Lessons.Add(Lesson(course.Id, "intro", "Introduction", 1));
        basics.Lessons.Add(Lesson(course.Id, "terms", "Terms", 2));
        var old = Lesson(course.Id, "old", "Retired lesson", 0);
        old.RetiredAt = Now;
        basics.Lessons.Add(old);
        db.Modules.AddRange(practice, basics);
        await db.SaveChangesAsync(Ct);
        var quiz = new Quiz { CourseId = course.Id, ModuleId = basics.Id, Slug = "basics-quiz", Title = "Basics quiz", PassMark = 50 };
        db.Quizzes.Add(quiz);
        await db.SaveChangesAsync(Ct);
        var lessons = await db.Lessons.Where(l => l.CourseId == course.Id).ToDictionaryAsync(l => l.Slug, l => l.Id, Ct);
        return new SeededCourse(course.Id, slug, title, lessons, quiz.Id);
    }

    public async Task UserAsync(string id, string timeZone = "Etc/UTC", string? country = null, string language = "en")
    {
        Assert.True(TimeZones.IsValid(timeZone), $"Time zone '{timeZone}' is missing: install the tzdata package.");
        await using var db = CreateContext();
        db.Users.Add(new ApplicationUser
        {
            Id = id, UserName = id, NormalizedUserName = id.ToUpperInvariant(), Email = $"{id}@example.org",
            NormalizedEmail = $"{id.ToUpperInvariant()}@EXAMPLE.ORG", FullName = $"{id} Name", PreferredLanguage = language,
            TimeZoneId = timeZone, Country = country, CreatedAt = Now,
        });
        await db.SaveChangesAsync(Ct);
    }

    public async Task<int> CohortAsync(int courseId, DateOnly startsOn, DateOnly endsOn, string timeZone = "Etc/UTC", int? nudgeAfterDays = 7, string name = "Spring cohort")
    {
        Assert.True(TimeZones.IsValid(timeZone), $"Time zone '{timeZone}' is missing: install the tzdata package.");
        await using var db = CreateContext();
        var cohort = new Cohort
        {
            CourseId = courseId, Name = name, StartsOn = startsOn, EndsOn = endsOn, TimeZoneId = timeZone,
            NudgeAfterDays = nudgeAfterDays, CreatedAt = Now,
        };
        db.Cohorts.Add(cohort);
        await db.SaveChangesAsync(Ct);
        return cohort.Id;
    }

    public async Task<int> EnrolAsync(int cohortId, string userId, EnrolmentStatus status = EnrolmentStatus.Active, DateTime? at = null)
    {
        await using var db = CreateContext();
        var enrolment = new Enrolment { CohortId = cohortId, UserId = userId, Status = status, RequestedAt = at ?? Now, DecidedAt = at ?? Now };
        db.Enrolments.Add(enrolment);
        await db.SaveChangesAsync(Ct);
        return enrolment.Id;
    }

    /// <summary>A user and their enrolment, in one go.</summary>
    public async Task<int> TraineeAsync(int cohortId, string userId, string timeZone = "Etc/UTC", EnrolmentStatus status = EnrolmentStatus.Active, DateTime? enrolledAt = null, string? country = null)
    {
        await UserAsync(userId, timeZone, country);
        return await EnrolAsync(cohortId, userId, status, enrolledAt);
    }

    public async Task CompletedAsync(int enrolmentId)
    {
        await using var db = CreateContext();
        db.CompletionRecords.Add(new CompletionRecord { EnrolmentId = enrolmentId, CompletedAt = Now, RuleVersion = 1 });
        await db.SaveChangesAsync(Ct);
    }

    public async Task LessonAsync(string userId, SeededCourse course, string lessonSlug, DateTime visitedAt, bool completed = true)
    {
        await using var db = CreateContext();
        db.LessonProgress.Add(new LessonProgress
        {
            UserId = userId, LessonId = course.Lessons[lessonSlug], CourseId = course.Id, FirstVisitedAt = visitedAt,
            LastVisitedAt = visitedAt, CompletedAt = completed ? visitedAt : null, Position = 1,
        });
        await db.SaveChangesAsync(Ct);
    }

    /// <summary>An attempt still open, last saved at <paramref name="savedAt"/>.</summary>
    public async Task QuizAttemptAsync(int enrolmentId, string userId, SeededCourse course, DateTime startedAt, DateTime? savedAt = null)
    {
        await using var db = CreateContext();
        var number = await db.QuizAttempts.CountAsync(a => a.EnrolmentId == enrolmentId, Ct) + 1;
        db.QuizAttempts.Add(new QuizAttempt { QuizId = course.QuizId, EnrolmentId = enrolmentId, UserId = userId, Number = number, StartedAt = startedAt, LastSavedAt = savedAt });
        await db.SaveChangesAsync(Ct);
    }

    public async Task AttendedAsync(int sessionId, string userId, DateTime lastSeenAt)
    {
        await using var db = CreateContext();
        db.AttendanceVisits.Add(new AttendanceVisit
        {
            SessionId = sessionId, UserId = userId, ConnectionId = Guid.NewGuid().ToString("N"), JoinedAt = lastSeenAt.AddMinutes(-30),
            LastSeenAt = lastSeenAt, LeftAt = lastSeenAt,
        });
        await db.SaveChangesAsync(Ct);
    }

    public async Task<int> SessionAsync(int cohortId, DateTime startsAt, string[]? lecturers = null, string title = "Weekly clinic", int durationMinutes = 90)
    {
        await using var db = CreateContext();
        var session = new LiveSession
        {
            CohortId = cohortId, Title = title, StartsAt = startsAt, DurationMinutes = durationMinutes, OrganiserTimeZoneId = "Africa/Algiers",
            AvLink = "https://meet.example.org/clinic", CreatedAt = Now, UpdatedAt = Now,
        };
        foreach (var id in lecturers ?? [])
            session.Lecturers.Add(new LiveSessionLecturer { UserId = id });
        db.LiveSessions.Add(session);
        await db.SaveChangesAsync(Ct);
        return session.Id;
    }

    /// <summary>An edit a calendar shows, as the scheduling page saves it: SEQUENCE goes up, UpdatedAt is now.</summary>
    public async Task ChangeSessionAsync(int sessionId, Action<LiveSession> change)
    {
        await using var db = CreateContext();
        var session = await db.LiveSessions.SingleAsync(s => s.Id == sessionId, Ct);
        change(session);
        session.Sequence++;
        session.UpdatedAt = Now;
        await db.SaveChangesAsync(Ct);
    }

    public async Task PreferenceAsync(string userId, string kind, bool enabled, bool inDigest = false)
    {
        await using var db = CreateContext();
        db.NotificationPreferences.Add(new NotificationPreference { UserId = userId, Kind = kind, Enabled = enabled, InDigest = inDigest, UpdatedAt = Now });
        await db.SaveChangesAsync(Ct);
    }

    public async Task<int> AnnouncementAsync(int cohortId, string authorId, string subject, DateTime createdAt, params string[] recipients)
    {
        await using var db = CreateContext();
        var announcement = new Announcement
        {
            CohortId = cohortId, AuthorId = authorId, Subject = subject, Body = "Body", RecipientCount = recipients.Length, CreatedAt = createdAt,
        };
        announcement.Recipients.AddRange(recipients.Select(r => new AnnouncementRecipient { UserId = r }));
        db.Announcements.Add(announcement);
        await db.SaveChangesAsync(Ct);
        return announcement.Id;
    }

    /// <summary>The outbox, oldest first.</summary>
    public async Task<List<OutgoingMail>> MailAsync(string? kind = null)
    {
        await using var db = CreateContext();
        return await db.OutgoingMail.AsNoTracking().Where(m => kind == null || m.Kind == kind).OrderBy(m => m.Id).ToListAsync(Ct);
    }

    /// <summary>Runs one planner sweep on a context of its own, as a job would.</summary>
    public async Task<int> SweepAsync(Func<ReminderPlanner, Task<int>> sweep, ReminderOptions? options = null)
    {
        await using var db = CreateContext();
        return await sweep(Planner(db, options));
    }

    public ReminderPlanner Planner(LearningDbContext db, ReminderOptions? options = null) =>
        new(db, clock, Options.Create(options ?? new ReminderOptions()));

    public LearningDbContext CreateContext() => database.CreateContext();

    public static T Model<T>(OutgoingMail mail) =>
        JsonSerializer.Deserialize<T>(mail.ModelJson, MailJson.Options) ?? throw new InvalidOperationException($"Mail {mail.Key} has no model.");

    private static Lesson Lesson(int courseId, string slug, string title, int position) =>
        new() { CourseId = courseId, Slug = slug, Title = title, Position = position };
}
