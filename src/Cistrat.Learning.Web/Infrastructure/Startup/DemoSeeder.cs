using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Live;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Infrastructure.Startup;

/// <summary>
/// The --demo data: one account per role, a demo cohort of each course with trainees in several countries and
/// time zones, and some progress. Runs once; a second start with --demo leaves the data as it is.
/// </summary>
public sealed class DemoSeeder(
    LearningDbContext db,
    UserManager<ApplicationUser> users,
    IOptions<LearningOptions> options,
    TimeProvider time,
    CourseSlideDecks decks,
    ILogger<DemoSeeder> logger)
{
    public const string Domain = "demo.local";

    private static readonly DemoPerson[] People =
    [
        new("admin", "Demo Administrator", "AT", "Cistrat.Learning", "en", "Europe/Vienna", [Roles.Admin, Roles.Coordinator]),
        new("coordinator", "Nour El-Sayed", "EG", "Academy of Scientific Research and Technology", "en", "Africa/Cairo", [Roles.Coordinator]),
        new("lecturer", "Dr. Jean-Pierre Ndayisaba", "RW", "University of Rwanda", "fr", "Africa/Kigali", [Roles.Lecturer]),
        new("trainee", "Amina Benali", "DZ", "Directorate-General for Scientific Research", "fr", "Africa/Algiers", [Roles.Trainee]),
        new("trainee2", "محمد عبد الله", "EG", "Ministry of Higher Education and Scientific Research", "ar", "Africa/Cairo", [Roles.Trainee]),
        new("trainee3", "Selamawit Tesfaye", "ET", "Ministry of Innovation and Technology", "en", "Africa/Addis_Ababa", [Roles.Trainee]),
        new("trainee4", "Joaquim da Costa Ximenes", "TL", "National University of Timor-Leste", "pt", "Asia/Dili", [Roles.Trainee]),
        new("trainee5", "王芳", "CN", "Institute of Science and Technology Policy", "zh", "Asia/Shanghai", [Roles.Trainee]),
        new("trainee6", "Nguyễn Thị Lan", "VN", "National Institute for Science and Technology Policy and Strategy Studies", "en", "Asia/Ho_Chi_Minh", [Roles.Trainee]),
    ];

    /// <summary>Seeds the demo data; returns the generated password when one was generated, so it is printed once.</summary>
    public async Task<string?> SeedAsync(CancellationToken ct)
    {
        if (await users.FindByEmailAsync($"trainee@{Domain}") is not null)
        {
            logger.LogInformation("Demo data exists already; leaving it as it is");
            return null;
        }

        var configured = options.Value.DemoPassword;
        var password = string.IsNullOrWhiteSpace(configured) ? AccountBootstrapper.GeneratePassword() : configured;
        var now = time.GetUtcNow().UtcDateTime;
        var ids = new Dictionary<string, string>();
        foreach (var person in People)
        {
            var user = new ApplicationUser
            {
                UserName = $"{person.Key}@{Domain}", Email = $"{person.Key}@{Domain}", EmailConfirmed = true, FullName = person.Name,
                Country = person.Country, Organisation = person.Organisation, PreferredLanguage = person.Language, TimeZoneId = person.TimeZone,
                CreatedAt = now,
            };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
                throw new InvalidOperationException($"Demo account {user.Email} could not be created: " + string.Join(" ", created.Errors.Select(e => e.Description)));
            await users.AddToRolesAsync(user, person.Roles);
            ids[person.Key] = user.Id;
        }

        var courses = await db.Courses.Where(c => c.RetiredAt == null).OrderBy(c => c.Title).ToListAsync(ct);
        var today = DateOnly.FromDateTime(now);
        var number = 12;
        foreach (var course in courses)
        {
            var cohort = new Cohort
            {
                CourseId = course.Id, Name = $"{Ordinal(number++)} International Training Workshop: {course.Title}",
                StartsOn = today.AddDays(-14), EndsOn = today.AddDays(42), TimeZoneId = "Asia/Shanghai",
                Policy = EnrolmentPolicy.Open, Capacity = 40, CreatedAt = now,
            };
            if (number == 13)
            {
                // The first workshop asks for reading only, so its most advanced trainee has completed it and a
                // coordinator can issue a certificate straight away.
                cohort.CompletionRule = new CompletionRule { LessonSharePercent = 80, Quizzes = QuizRequirement.None };
            }
            cohort.Staff.Add(new CohortStaff { UserId = ids["coordinator"], Role = StaffRole.Coordinator });
            cohort.Staff.Add(new CohortStaff { UserId = ids["lecturer"], Role = StaffRole.Lecturer });
            foreach (var trainee in People.Where(p => p.Roles.Contains(Roles.Trainee) && p.Key != "trainee"))
            {
                cohort.Enrolments.Add(new Enrolment
                {
                    UserId = ids[trainee.Key], Status = EnrolmentStatus.Active, RequestedAt = now.AddDays(-20), DecidedAt = now.AddDays(-20),
                });
            }

            db.Cohorts.Add(cohort);
        }

        await db.SaveChangesAsync(ct);
        await SeedSessionsAsync(ids, now, ct);
        await SeedProgressAsync(ids, now, ct);
        var completion = new CompletionService(db, time);
        foreach (var cohortId in await db.Cohorts.Select(c => c.Id).ToListAsync(ct))
            await completion.EvaluateCohortAsync(cohortId, ct);
        await SeedAnnouncementAsync(ids, ct);
        logger.LogInformation("Seeded demo data: {People} accounts, {Cohorts} cohorts", People.Length, courses.Count);
        return string.IsNullOrWhiteSpace(configured) ? password : null;
    }

    /// <summary>
    /// Per cohort: a session on now (with the course's first deck), one tomorrow (so that its 24-hour reminders go out
    /// as soon as the demo starts), one in three days, one last week.
    /// </summary>
    private async Task SeedSessionsAsync(Dictionary<string, string> ids, DateTime now, CancellationToken ct)
    {
        var cohorts = await db.Cohorts.Include(c => c.Course).ToListAsync(ct);
        var start = now.AddSeconds(-now.Second).AddMinutes(-10);
        foreach (var cohort in cohorts)
        {
            var available = decks.ListFor(cohort.Course!.Slug);
            var deck = available.Count > 0 ? decks.Load(cohort.Course.Slug, available[0].Slug) : null;
            foreach (var (title, at) in new[]
            {
                ("Opening lecture and Q&A", start), ("Reading national indicators together", start.AddHours(20)),
                ("Case clinic: your country's experience", start.AddDays(3)), ("Welcome and introductions", start.AddDays(-7)),
            })
            {
                var session = new LiveSession
                {
                    CohortId = cohort.Id, Title = title, StartsAt = at, DurationMinutes = 90, OrganiserTimeZoneId = cohort.TimeZoneId,
                    Description = "Bring one question from your own institution.", AvLink = "https://meet.jit.si/cistrat-demo-" + cohort.Id,
                    CreatedById = ids["coordinator"], CreatedAt = now, UpdatedAt = now,
                };
                if (deck is not null)
                    session.UseMarkdownDeck(deck);

                session.Lecturers.Add(new LiveSessionLecturer { UserId = ids["lecturer"] });
                db.LiveSessions.Add(session);
            }
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>The coordinator's welcome to the first cohort: on its trainees' dashboards, and in the mail pickup folder.</summary>
    private async Task SeedAnnouncementAsync(Dictionary<string, string> ids, CancellationToken ct)
    {
        var first = await db.Cohorts.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync(ct);
        await new AnnouncementService(db, time).PostAsync(first, ids["coordinator"], "Welcome to the workshop",
            "Welcome, everyone. The opening lecture is on your dashboard under Live sessions.\n\nIf your connection is slow, use the room's text-only mode: you will still follow the slides and the notes.",
            AnnouncementAudience.AllTrainees, country: null, ct);
    }

    /// <summary>Each demo trainee has read a different share of each course, so rosters and dashboards show spread.</summary>
    private async Task SeedProgressAsync(Dictionary<string, string> ids, DateTime now, CancellationToken ct)
    {
        var lessons = await db.Lessons.Where(l => l.RetiredAt == null)
            .OrderBy(l => l.CourseId).ThenBy(l => l.Module!.Position).ThenBy(l => l.Position)
            .Select(l => new { l.Id, l.CourseId }).ToListAsync(ct);
        var share = new Dictionary<string, double> { ["trainee2"] = 0.6, ["trainee3"] = 0.3, ["trainee4"] = 0.1, ["trainee5"] = 0.8, ["trainee6"] = 0 };
        foreach (var (key, fraction) in share)
        {
            foreach (var course in lessons.GroupBy(l => l.CourseId))
            {
                var list = course.ToList();
                var count = (int)Math.Round(list.Count * fraction);
                for (var i = 0; i < count; i++)
                {
                    var at = now.AddHours(-(count - i) * 20);
                    db.LessonProgress.Add(new LessonProgress
                    {
                        UserId = ids[key], LessonId = list[i].Id, CourseId = course.Key, FirstVisitedAt = at, LastVisitedAt = at, CompletedAt = at,
                    });
                }
            }
        }

        await db.SaveChangesAsync(ct);
    }

    private static string Ordinal(int n) => n + (n % 100 is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });

    private sealed record DemoPerson(string Key, string Name, string Country, string Organisation, string Language, string TimeZone, string[] Roles);
}
