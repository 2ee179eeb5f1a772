using System.Diagnostics;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// A live session 30 minutes ahead in a cohort of a demo course that has been given many trainees: the next run of the
/// session-reminders sweep plans its "1h" reminder for every active trainee of the cohort and its lecturer.
/// </summary>
internal sealed record MailSession(int SessionId, string Title, int CohortId, string CohortName, string CourseSlug, DateTime StartsAt, int AddedTrainees, int ExpectedRecipients, TimeSpan Seeded)
{
    /// <summary>Every outbox key of this session's reminders starts with this (ReminderPlanner's "session-reminder:{id}:...").</summary>
    public string KeyPrefix => $"session-reminder:{SessionId}:";
}

internal static class MailSetup
{
    public const string LecturerEmail = "lecturer@demo.local";

    /// <summary>The session is this far ahead, inside the 1 h lead time: one reminder each, not also the 24 h one.</summary>
    public static readonly TimeSpan StartsIn = TimeSpan.FromMinutes(30);

    private const string Domain = "mail.bench.local";

    /// <summary>The demo people's languages and time zones, in turn, so that the renderer works in several cultures as it would.</summary>
    private static readonly (string Language, string TimeZone, string Country)[] Locales =
    [
        ("en", "Africa/Addis_Ababa", "ET"), ("fr", "Africa/Algiers", "DZ"), ("ar", "Africa/Cairo", "EG"),
        ("pt", "Asia/Dili", "TL"), ("zh", "Asia/Shanghai", "CN"), ("en", "Asia/Ho_Chi_Minh", "VN"),
    ];

    /// <summary>
    /// Adds a cohort of the demo course <paramref name="courseSlug"/> (the demo cohort's dates and time zone, the demo
    /// lecturer on its staff) with <paramref name="trainees"/> new accounts enrolled (active), and a session of it
    /// starting in <see cref="StartsIn"/>, in one transaction, straight in the running server's SQLite file: the sweep
    /// sees the whole cohort or none of it. A cohort of its own, not the demo one: the demo cohorts have a session
    /// 20 hours ahead, whose "24h" reminder would go to every added trainee as well and double the work.
    /// </summary>
    public static async Task<MailSession> SeedAsync(DirectoryInfo dataFolder, string courseSlug, string accountPrefix, int trainees, CancellationToken ct)
    {
        var options = new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlite($"Data Source={RoomSetup.DatabasePath(dataFolder)};Default Timeout=30;Pooling=False", o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite))
            .Options;
        var clock = Stopwatch.StartNew();
        await using var db = new LearningDbContext(options);
        var demo = await db.Cohorts.AsNoTracking().Where(c => c.Course!.Slug == courseSlug)
            .Select(c => new { c.CourseId, c.Name, c.TimeZoneId, c.StartsOn, c.EndsOn }).FirstOrDefaultAsync(ct)
            ?? throw new BenchmarkException($"No demo cohort of {courseSlug}: did --demo seed the data?");
        var lecturer = await db.Users.AsNoTracking().Where(u => u.Email == LecturerEmail).Select(u => u.Id).SingleOrDefaultAsync(ct)
            ?? throw new BenchmarkException($"No demo account {LecturerEmail}: the demo data changed.");
        var traineeRole = await db.Roles.Where(r => r.Name == Roles.Trainee).Select(r => r.Id).SingleAsync(ct);
        var now = DateTime.UtcNow;

        var cohort = new Cohort
        {
            CourseId = demo.CourseId, Name = $"Mail benchmark ({accountPrefix}): {demo.Name}", StartsOn = demo.StartsOn, EndsOn = demo.EndsOn,
            TimeZoneId = demo.TimeZoneId, Policy = EnrolmentPolicy.Open, CreatedAt = now,
        };
        cohort.Staff.Add(new CohortStaff { UserId = lecturer, Role = StaffRole.Lecturer });
        var accounts = Enumerable.Range(1, trainees).Select(i => NewTrainee(accountPrefix, i, now)).ToList();
        db.Users.AddRange(accounts);
        db.UserRoles.AddRange(accounts.Select(a => new IdentityUserRole<string> { UserId = a.Id, RoleId = traineeRole }));
        foreach (var account in accounts)
            cohort.Enrolments.Add(new Enrolment { UserId = account.Id, Status = EnrolmentStatus.Active, RequestedAt = now, DecidedAt = now });
        db.Cohorts.Add(cohort);
        // Whole minutes, as a coordinator would schedule it.
        var startsAt = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc) + StartsIn;
        var session = new LiveSession
        {
            Cohort = cohort, Title = $"Reminder storm ({accountPrefix})", StartsAt = startsAt, DurationMinutes = 60,
            OrganiserTimeZoneId = demo.TimeZoneId, Description = "Seeded by the mail benchmark.", AvLink = "https://meet.example.org/bench",
            CreatedAt = now, UpdatedAt = now,
        };
        session.Lecturers.Add(new LiveSessionLecturer { UserId = lecturer });
        db.LiveSessions.Add(session);
        await db.SaveChangesAsync(ct);

        var enrolled = await db.Enrolments.Where(e => e.CohortId == cohort.Id && e.Status == EnrolmentStatus.Active).Select(e => e.UserId).ToListAsync(ct);
        var recipients = enrolled.Append(lecturer).Distinct(StringComparer.Ordinal).Count();
        return new MailSession(session.Id, session.Title, cohort.Id, cohort.Name, courseSlug, startsAt, trainees, recipients, clock.Elapsed);
    }

    private static ApplicationUser NewTrainee(string prefix, int number, DateTime now)
    {
        var email = $"{prefix}{number:D5}@{Domain}";
        var (language, timeZone, country) = Locales[number % Locales.Length];
        return new ApplicationUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true,
            SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant(),
            FullName = $"Trainee {prefix} {number:D5}",
            Country = country,
            PreferredLanguage = language,
            TimeZoneId = timeZone,
            CreatedAt = now,
        };
    }
}
