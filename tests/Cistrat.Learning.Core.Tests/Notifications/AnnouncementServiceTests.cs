using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Tests.Content;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Tests.Notifications;

/// <summary>AnnouncementService.PostAsync over a real SQLite database; the cohort's nudge period (7 days) defines "inactive".</summary>
public sealed class AnnouncementServiceTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime LongAgo = new(2026, 2, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly ManualClock _clock = new(new DateTimeOffset(Now));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotificationSeed Seed => new(database, _clock);

    public async ValueTask InitializeAsync()
    {
        await database.ResetAsync(Ct);
        await Seed.UserAsync("coord");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Post_ToAllTrainees_StoresTheActiveTraineesAsRecipients_AndMailsThem()
    {
        var course = await Seed.CourseAsync();
        var cohort = await CohortAsync(course.Id);
        var other = await CohortAsync(course.Id, "Other cohort");
        await Seed.TraineeAsync(cohort, "ana", timeZone: "Asia/Dili");
        await Seed.TraineeAsync(cohort, "ben");
        await Seed.TraineeAsync(cohort, "cara", status: EnrolmentStatus.Withdrawn);
        await Seed.TraineeAsync(cohort, "dora", status: EnrolmentStatus.Pending);
        await Seed.TraineeAsync(other, "eve");

        var posted = await PostAsync(cohort, "  Room change \n", "\n  We meet in room 4 from now on.  \n", AnnouncementAudience.AllTrainees);

        await using var db = Seed.CreateContext();
        var stored = await db.Announcements.Include(a => a.Recipients).AsNoTracking().SingleAsync(Ct);
        Assert.Equal(
            (posted.Id, cohort, "coord", "Room change", "We meet in room 4 from now on.", AnnouncementAudience.AllTrainees, (string?)null, 2, Now),
            (stored.Id, stored.CohortId, stored.AuthorId, stored.Subject, stored.Body, stored.Audience, stored.Country, stored.RecipientCount, stored.CreatedAt));
        Assert.Equal(["ana", "ben"], stored.Recipients.Select(r => r.UserId).Order(StringComparer.Ordinal));

        var mails = await Seed.MailAsync();
        Assert.Equal([$"announcement:{posted.Id}:ana", $"announcement:{posted.Id}:ben"], mails.Select(m => m.Key).Order(StringComparer.Ordinal));
        var toAna = mails.Single(m => m.UserId == "ana");
        Assert.Equal((MailKinds.Announcement, "ana@example.org", "Asia/Dili", (int?)cohort, MailStatus.Pending, Now),
            (toAna.Kind, toAna.ToAddress, toAna.TimeZoneId, toAna.CohortId, toAna.Status, toAna.NextAttemptAt));
        Assert.Equal(
            new AnnouncementMailModel(posted.Id, cohort, "Spring cohort", "Room change", "We meet in room 4 from now on.", "coord Name"),
            NotificationSeed.Model<AnnouncementMailModel>(toAna));
    }

    [Fact]
    public async Task Post_ToThoseNotCompleted_LeavesOutCompletedTrainees()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        await Seed.CompletedAsync(await Seed.TraineeAsync(cohort, "ben"));
        await Seed.TraineeAsync(cohort, "cara", status: EnrolmentStatus.Withdrawn);

        var posted = await PostAsync(cohort, "Last week", "Finish the quiz.", AnnouncementAudience.NotCompleted);

        Assert.Equal(["ana"], await RecipientsAsync(posted.Id));
        Assert.Equal(["ana"], (await Seed.MailAsync()).Select(m => m.UserId));
    }

    [Fact]
    public async Task Post_ToTheInactive_LeavesOutAnyoneWithActivityInTheNudgePeriod()
    {
        var course = await Seed.CourseAsync();
        var cohort = await CohortAsync(course.Id);
        var session = await Seed.SessionAsync(cohort, Now.AddDays(-2));
        var recently = Now.AddDays(-2);
        await Seed.TraineeAsync(cohort, "ida", enrolledAt: LongAgo);
        await Seed.TraineeAsync(cohort, "new", enrolledAt: recently);
        await Seed.TraineeAsync(cohort, "lena", enrolledAt: LongAgo);
        await Seed.LessonAsync("lena", course, "intro", recently, completed: false);
        var quinn = await Seed.TraineeAsync(cohort, "quinn", enrolledAt: LongAgo);
        await Seed.QuizAttemptAsync(quinn, "quinn", course, startedAt: LongAgo, savedAt: recently);
        await Seed.TraineeAsync(cohort, "vera", enrolledAt: LongAgo);
        await Seed.AttendedAsync(session, "vera", recently);
        await Seed.TraineeAsync(cohort, "old", enrolledAt: LongAgo);
        await Seed.LessonAsync("old", course, "intro", Now.AddDays(-8));

        var posted = await PostAsync(cohort, "We miss you", "Come back.", AnnouncementAudience.Inactive);

        Assert.Equal(["ida", "old"], await RecipientsAsync(posted.Id));
        Assert.Equal(2, posted.RecipientCount);
    }

    [Fact]
    public async Task Post_ToACountry_MatchesTheCodeWhateverItsCase()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "amel", country: "DZ");
        await Seed.TraineeAsync(cohort, "bilal", country: "DZ");
        await Seed.TraineeAsync(cohort, "chloe", country: "FR");
        await Seed.TraineeAsync(cohort, "dan");
        await Seed.TraineeAsync(cohort, "ewa", country: "DZ", status: EnrolmentStatus.Withdrawn);

        var posted = await PostAsync(cohort, "Visa letters", "Ask the office.", AnnouncementAudience.Country, country: " dz ");

        Assert.Equal("DZ", posted.Country);
        Assert.Equal(["amel", "bilal"], await RecipientsAsync(posted.Id));
        Assert.Equal(["amel", "bilal"], (await Seed.MailAsync()).Select(m => m.UserId ?? "").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Post_MailsOnlyThoseWhoWantAnnouncementsOneByOne_ButAddressesEveryone()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        await Seed.TraineeAsync(cohort, "ben");
        await Seed.TraineeAsync(cohort, "cara");
        await Seed.PreferenceAsync("ben", MailKinds.Announcement, enabled: false);
        await Seed.PreferenceAsync("cara", MailKinds.Announcement, enabled: true, inDigest: true);

        var posted = await PostAsync(cohort, "News", "Body.", AnnouncementAudience.AllTrainees);

        Assert.Equal(["ana", "ben", "cara"], await RecipientsAsync(posted.Id));
        Assert.Equal(["ana"], (await Seed.MailAsync()).Select(m => m.UserId));
    }

    [Fact]
    public async Task Post_RefusesABlankSubjectOrBody_AndStoresNothing()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => PostAsync(cohort, "  ", "Body.", AnnouncementAudience.AllTrainees));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => PostAsync(cohort, "Subject", "\n", AnnouncementAudience.AllTrainees));

        await using var db = Seed.CreateContext();
        Assert.Equal((0, 0), (await db.Announcements.CountAsync(Ct), await db.OutgoingMail.CountAsync(Ct)));
    }

    private Task<int> CohortAsync(int courseId, string name = "Spring cohort") =>
        Seed.CohortAsync(courseId, new DateOnly(2026, 2, 1), new DateOnly(2026, 6, 30), name: name);

    [Fact]
    public async Task Post_UnderARetryingExecutionStrategy_AsOnSqlServer_StoresAndMails()
    {
        var course = await Seed.CourseAsync();
        var cohort = await CohortAsync(course.Id);
        await Seed.TraineeAsync(cohort, "ana");

        await using var db = database.CreateRetryingContext();
        var posted = await new AnnouncementService(db, _clock).PostAsync(cohort, "coord", "Room change", "Room 4.", AnnouncementAudience.AllTrainees, null, Ct);

        Assert.Equal(["ana"], await RecipientsAsync(posted.Id));
        Assert.Equal([$"announcement:{posted.Id}:ana"], (await Seed.MailAsync()).Select(m => m.Key));
    }

    private async Task<Announcement> PostAsync(int cohortId, string subject, string body, AnnouncementAudience audience, string? country = null)
    {
        await using var db = Seed.CreateContext();
        return await new AnnouncementService(db, _clock).PostAsync(cohortId, "coord", subject, body, audience, country, Ct);
    }

    private async Task<List<string>> RecipientsAsync(int announcementId)
    {
        await using var db = Seed.CreateContext();
        return await db.AnnouncementRecipients.Where(r => r.AnnouncementId == announcementId)
            .Select(r => r.UserId).OrderBy(id => id).ToListAsync(Ct);
    }
}
