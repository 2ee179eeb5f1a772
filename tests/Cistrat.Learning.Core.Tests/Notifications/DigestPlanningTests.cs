using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Tests.Content;

namespace Cistrat.Learning.Core.Tests.Notifications;

/// <summary>ReminderPlanner.PlanDigestsAsync over a real SQLite database. 2 March 2026 is the Monday of ISO week 10.</summary>
public sealed class DigestPlanningTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly DateTime MondayNine = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Enrolled = new(2026, 2, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 2, 20, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotificationSeed Seed => new(database, _clock);

    public async ValueTask InitializeAsync() => await database.ResetAsync(Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Digest_GoesOnlyToThoseWhoAskedForIt_AndHaveSomethingInIt()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana", enrolledAt: Enrolled);
        await Seed.TraineeAsync(cohort, "ben", enrolledAt: Enrolled);
        await Seed.TraineeAsync(cohort, "cara", enrolledAt: Enrolled);
        await Seed.UserAsync("dora");
        await Seed.PreferenceAsync("ana", MailKinds.Digest, enabled: true);
        await Seed.PreferenceAsync("cara", MailKinds.Digest, enabled: false);
        // dora asked for it but has no cohort, session or announcement: an empty digest is not sent.
        await Seed.PreferenceAsync("dora", MailKinds.Digest, enabled: true);

        SetNow(MondayNine);
        Assert.Equal(1, await SweepAsync());

        var mail = Assert.Single(await Seed.MailAsync());
        Assert.Equal(("digest:ana:2026-W10", MailKinds.Digest, "ana", (int?)null), (mail.Key, mail.Kind, mail.UserId, mail.CohortId));
    }

    [Fact]
    public async Task Digest_GoesOutOnMondayFrom0800InTheRecipientsZone_OncePerIsoWeek()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "dili", timeZone: "Asia/Dili", enrolledAt: Enrolled);
        await Seed.TraineeAsync(cohort, "sao", timeZone: "America/Sao_Paulo", enrolledAt: Enrolled);
        await Seed.PreferenceAsync("dili", MailKinds.Digest, enabled: true);
        await Seed.PreferenceAsync("sao", MailKinds.Digest, enabled: true);

        var added = new List<int>();
        foreach (var utc in new DateTime[]
        {
            new(2026, 3, 1, 22, 59, 0, DateTimeKind.Utc), // Dili: Monday 07:59; São Paulo: Sunday 19:59
            new(2026, 3, 1, 23, 0, 0, DateTimeKind.Utc),  // Dili: Monday 08:00
            new(2026, 3, 2, 10, 59, 0, DateTimeKind.Utc), // São Paulo: Monday 07:59
            new(2026, 3, 2, 11, 0, 0, DateTimeKind.Utc),  // São Paulo: Monday 08:00
            new(2026, 3, 2, 14, 59, 0, DateTimeKind.Utc), // Dili: Monday 23:59, São Paulo: Monday 11:59
            new(2026, 3, 3, 9, 0, 0, DateTimeKind.Utc),   // Tuesday everywhere
            new(2026, 3, 9, 11, 0, 0, DateTimeKind.Utc),  // the next Monday: Dili 20:00, São Paulo 08:00
            new(2026, 3, 9, 12, 0, 0, DateTimeKind.Utc),
        })
        {
            SetNow(utc);
            added.Add(await SweepAsync());
        }

        Assert.Equal([0, 1, 0, 1, 0, 0, 2, 0], added);
        Assert.Equal(
            ["digest:dili:2026-W10", "digest:sao:2026-W10", "digest:dili:2026-W11", "digest:sao:2026-W11"],
            (await Seed.MailAsync()).Select(m => m.Key));
    }

    [Fact]
    public async Task Digest_HoldsProgress_TheWeeksSessions_AndThePastWeeksAnnouncements()
    {
        var course = await Seed.CourseAsync();
        var mine = await CohortAsync(course.Id, "Mine");
        var taught = await CohortAsync(course.Id, "Taught");
        var over = await Seed.CohortAsync(course.Id, new DateOnly(2025, 10, 1), new DateOnly(2026, 2, 1), name: "Long over");
        await Seed.TraineeAsync(mine, "ana", enrolledAt: Enrolled);
        await Seed.EnrolAsync(over, "ana", at: Enrolled);
        await Seed.LessonAsync("ana", course, "intro", Enrolled);
        await Seed.LessonAsync("ana", course, "terms", Enrolled);
        await Seed.TraineeAsync(taught, "ben", enrolledAt: Enrolled);
        await Seed.UserAsync("coord");
        await Seed.PreferenceAsync("ana", MailKinds.Digest, enabled: true);

        var soon = await Seed.SessionAsync(mine, MondayNine.AddDays(2), title: "Soon");
        await Seed.SessionAsync(mine, MondayNine.AddDays(8), title: "Next week");
        await Seed.SessionAsync(mine, MondayNine.AddDays(-1), title: "Yesterday");
        var lecturing = await Seed.SessionAsync(taught, MondayNine.AddDays(3), ["ana"], title: "Ana lectures");
        await Seed.SessionAsync(taught, MondayNine.AddDays(4), title: "Not hers");
        var cancelled = await Seed.SessionAsync(mine, MondayNine.AddDays(5), title: "Called off");
        await Seed.ChangeSessionAsync(cancelled, s => s.Cancelled = true);
        var recent = await Seed.AnnouncementAsync(mine, "coord", "Room change", MondayNine.AddDays(-3), "ana", "ben");
        var yesterday = await Seed.AnnouncementAsync(mine, "coord", "Reading list", MondayNine.AddDays(-1), "ana");
        await Seed.AnnouncementAsync(mine, "coord", "Old news", MondayNine.AddDays(-8), "ana");
        await Seed.AnnouncementAsync(taught, "coord", "Not for ana", MondayNine.AddDays(-1), "ben");

        SetNow(MondayNine);
        Assert.Equal(1, await SweepAsync());

        var model = NotificationSeed.Model<DigestMailModel>(Assert.Single(await Seed.MailAsync()));
        Assert.Equal(new DateOnly(2026, 3, 2), model.WeekOf);
        var cohort = Assert.Single(model.Cohorts);
        Assert.Equal(new DigestCohort(mine, "Mine", course.Title, course.Slug, 50, new DateOnly(2026, 6, 30)), cohort);
        Assert.Equal(
            [
                new DigestSession(soon, "Soon", "Mine", MondayNine.AddDays(2), false),
                new DigestSession(lecturing, "Ana lectures", "Taught", MondayNine.AddDays(3), false),
                new DigestSession(cancelled, "Called off", "Mine", MondayNine.AddDays(5), true),
            ],
            model.Sessions);
        Assert.Equal(
            [
                new DigestAnnouncement(yesterday, "Mine", "Reading list", MondayNine.AddDays(-1)),
                new DigestAnnouncement(recent, "Mine", "Room change", MondayNine.AddDays(-3)),
            ],
            model.Announcements);
    }

    private Task<int> CohortAsync(int courseId, string name = "Spring cohort") =>
        Seed.CohortAsync(courseId, new DateOnly(2026, 2, 1), new DateOnly(2026, 6, 30), name: name);

    private void SetNow(DateTime utc) => _clock.Now = new DateTimeOffset(utc);

    private Task<int> SweepAsync() => Seed.SweepAsync(p => p.PlanDigestsAsync(Ct));
}
