using System.Net;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Features.Certificates;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Cistrat.Learning.Web.Tests.Notifications;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>
/// Arranges what certificates are issued from (people, a cohort whose rule is half of the course's lessons, progress,
/// attendance) through the app's own services and database, and runs the certificate jobs as Hangfire runs them: each
/// in a DI scope of its own.
/// </summary>
public static class CertificateWorld
{
    /// <summary>The test course has four lessons: two of them meet the rule of the cohorts made here.</summary>
    public const int LessonSharePercent = 50;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A cohort of the test course, with its staff, whose completion rule is half the lessons and nothing else.</summary>
    public static async Task<int> CohortAsync(LearningAppFactory app, params (string UserId, StaffRole Role)[] staff)
    {
        ArgumentNullException.ThrowIfNull(app);
        var id = await TestCohorts.CreateAsync(app, staff: staff);
        await app.WithDbAsync(async db =>
        {
            var cohort = await db.Cohorts.SingleAsync(c => c.Id == id, Ct);
            cohort.CompletionRule.LessonSharePercent = LessonSharePercent;
            cohort.CompletionRule.Quizzes = QuizRequirement.None;
            await db.SaveChangesAsync(Ct);
        });
        return id;
    }

    /// <summary>A trainee account made directly (no password: for people who never sign in), with a profile to keep private.</summary>
    public static async Task<TestPerson> TraineeAsync(LearningAppFactory app, string fullName, string? organisation = null, string? country = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var person = await MailWorld.PersonAsync(app, fullName);
        if (organisation is not null || country is not null)
        {
            await app.WithDbAsync(db => db.Users.Where(u => u.Id == person.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Organisation, organisation).SetProperty(u => u.Country, country), Ct));
        }

        return person;
    }

    /// <summary>An account that signs in through the pages, with these roles; returns the browser and the account id.</summary>
    public static async Task<(TestBrowser Browser, string UserId)> SignedInAsync(LearningAppFactory app, string email, string fullName, params string[] roles)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(roles);
        var browser = new TestBrowser(app);
        await browser.RegisterAsync(email, fullName);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException(email);
            foreach (var role in roles)
            {
                if (!await users.IsInRoleAsync(user, role))
                    Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
            }
        }

        // Signed in again so that the cookie carries the roles.
        await browser.SignInAsync(email);
        var id = await app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct));
        return (browser, id);
    }

    public static Task<int> EnrolAsync(LearningAppFactory app, int cohortId, string userId)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(async db =>
        {
            var at = app.Clock.GetUtcNow().UtcDateTime;
            var enrolment = new Enrolment { CohortId = cohortId, UserId = userId, Status = EnrolmentStatus.Active, RequestedAt = at, DecidedAt = at };
            db.Enrolments.Add(enrolment);
            await db.SaveChangesAsync(Ct);
            return enrolment.Id;
        });
    }

    /// <summary>Marks enough of the course's lessons done to meet the rule of <see cref="CohortAsync"/>.</summary>
    public static Task MeetTheRuleAsync(LearningAppFactory app, string userId)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            foreach (var (lessonId, courseId) in await LessonsThatMeetTheRuleAsync(db))
            {
                db.LessonProgress.Add(new LessonProgress
                {
                    UserId = userId, LessonId = lessonId, CourseId = courseId, FirstVisitedAt = now, LastVisitedAt = now, CompletedAt = now, Position = 1,
                });
            }

            await db.SaveChangesAsync(Ct);
        });
    }

    /// <summary>The test course's first lessons, as many as the rule of <see cref="CohortAsync"/> asks for.</summary>
    public static async Task<IReadOnlyList<(int LessonId, int CourseId)>> LessonsThatMeetTheRuleAsync(LearningDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var courseId = await db.Courses.Where(c => c.Slug == TestContent.CourseSlug).Select(c => c.Id).SingleAsync(Ct);
        var lessons = await db.Lessons.Where(l => l.CourseId == courseId && l.RetiredAt == null).OrderBy(l => l.Position).ThenBy(l => l.Id)
            .Select(l => l.Id).ToListAsync(Ct);
        return lessons.Take((int)Math.Ceiling(lessons.Count * LessonSharePercent / 100.0)).Select(id => (id, courseId)).ToList();
    }

    /// <summary>A session of the cohort that ended an hour ago, and how many of its 60 minutes each person attended.</summary>
    public static Task EndedSessionAsync(LearningAppFactory app, int cohortId, params (string UserId, int Minutes)[] attended)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(attended);
        return app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            var session = new LiveSession
            {
                CohortId = cohortId, Title = "Foresight workshop", StartsAt = now.AddHours(-2), DurationMinutes = 60, CreatedAt = now.AddDays(-3), UpdatedAt = now.AddDays(-3),
            };
            db.LiveSessions.Add(session);
            await db.SaveChangesAsync(Ct);
            foreach (var (userId, minutes) in attended)
            {
                db.AttendanceVisits.Add(new AttendanceVisit
                {
                    SessionId = session.Id, UserId = userId, ConnectionId = Guid.NewGuid().ToString("n"),
                    JoinedAt = session.StartsAt, LastSeenAt = session.StartsAt.AddMinutes(minutes), LeftAt = session.StartsAt.AddMinutes(minutes),
                });
            }

            await db.SaveChangesAsync(Ct);
        });
    }

    /// <summary>Records a batch as the coordinators' page does and runs one certificate job per item; returns the batch.</summary>
    public static async Task<int> IssueAsync(LearningAppFactory app, int cohortId, IReadOnlyCollection<int> enrolmentIds, string? actorId = null, CertificateKind kind = CertificateKind.Completion)
    {
        ArgumentNullException.ThrowIfNull(app);
        int batchId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var batch = await scope.ServiceProvider.GetRequiredService<CertificateService>().StartBatchAsync(cohortId, kind, enrolmentIds, actorId, Ct);
            batchId = Assert.IsType<CertificateBatch>(batch).Id;
        }

        await RunPendingItemsAsync(app, batchId);
        return batchId;
    }

    /// <summary>Runs <see cref="CertificateJob.IssueAsync"/> for every pending item of a batch, one scope per job.</summary>
    public static async Task RunPendingItemsAsync(LearningAppFactory app, int batchId)
    {
        ArgumentNullException.ThrowIfNull(app);
        var items = await app.WithDbAsync(db => db.CertificateBatchItems.Where(i => i.BatchId == batchId && i.Status == BatchItemStatus.Pending)
            .OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(Ct));
        foreach (var item in items)
            await RunJobAsync(app, item);
    }

    public static async Task RunJobAsync(LearningAppFactory app, int itemId)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        await ActivatorUtilities.GetServiceOrCreateInstance<CertificateJob>(scope.ServiceProvider).IssueAsync(itemId, CancellationToken.None);
    }

    public static Task<List<CertificateBatchItem>> ItemsAsync(LearningAppFactory app, int batchId)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(db => db.CertificateBatchItems.AsNoTracking().Where(i => i.BatchId == batchId).OrderBy(i => i.Id).ToListAsync(Ct));
    }

    /// <summary>The certificate the item minted; fails the test with the item's error when it has none.</summary>
    public static async Task<Certificate> CertificateOfAsync(LearningAppFactory app, int batchId, int enrolmentId)
    {
        var item = (await ItemsAsync(app, batchId)).Single(i => i.EnrolmentId == enrolmentId);
        Assert.True(item.Status == BatchItemStatus.Done && item.CertificateId is not null, $"Batch item of enrolment {enrolmentId}: {item.Status}, {item.Error}");
        return await app.WithDbAsync(db => db.Certificates.AsNoTracking().SingleAsync(c => c.Id == item.CertificateId, Ct));
    }

    public static Task<byte[]> PdfAsync(LearningAppFactory app, int certificateId)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(db => db.CertificateFiles.Where(f => f.CertificateId == certificateId).Select(f => f.Pdf).SingleAsync(Ct));
    }

    public static Task<List<Certificate>> CertificatesAsync(LearningAppFactory app, int cohortId)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(db => db.Certificates.AsNoTracking().Where(c => c.CohortId == cohortId).OrderBy(c => c.Id).ToListAsync(Ct));
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/> with what was awaited.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, Func<Task<string>> what, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
                Assert.Fail($"Waited {timeout.TotalSeconds:0} s for {await what()}.");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>
    /// A refusal as a browser meets it: 403, or the redirect to the access-denied page, which answers 403.
    /// </summary>
    public static async Task AssertForbiddenAsync(TestBrowser browser, HttpResponseMessage response, string what)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            var location = response.Headers.Location!.Target();
            Assert.True(location.StartsWith("/account/access-denied", StringComparison.Ordinal), $"{what}: redirected to {location}, not to the access-denied page.");
            response = await browser.GetAsync(location);
        }

        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: expected 403, got {(int)response.StatusCode}.");
    }
}

internal static class UriExtensions
{
    /// <summary>The path and query of a Location header, absolute or relative.</summary>
    public static string Target(this Uri location) =>
        location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
}
