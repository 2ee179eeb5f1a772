using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Tests.Content;

namespace Cistrat.Learning.Core.Tests.Notifications;

/// <summary>ReminderPlanner.PlanDeadlinesAsync over a real SQLite database (default thresholds 7 and 1 days).</summary>
public sealed class DeadlinePlanningTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly DateOnly EndsOn = new(2026, 3, 20);
    private static readonly DateTime Enrolled = new(2026, 2, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotificationSeed Seed => new(database, _clock);

    public async ValueTask InitializeAsync() => await database.ResetAsync(Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Deadline_RemindsTraineesWhoHaveNotCompleted_AWeekAndADayBefore_OncePerThreshold()
    {
        var course = await Seed.CourseAsync();
        var cohort = await Seed.CohortAsync(course.Id, new DateOnly(2026, 2, 1), EndsOn);
        await Seed.TraineeAsync(cohort, "ana", enrolledAt: Enrolled);
        await Seed.LessonAsync("ana", course, "intro", Enrolled);
        await Seed.CompletedAsync(await Seed.TraineeAsync(cohort, "ben", enrolledAt: Enrolled));
        await Seed.TraineeAsync(cohort, "cara", status: EnrolmentStatus.Withdrawn, enrolledAt: Enrolled);

        var added = new List<int>();
        foreach (var day in new[] { 11, 12, 13, 14, 17, 18, 19, 20, 21 })
        {
            SetNow(new DateTime(2026, 3, day, 12, 0, 0, DateTimeKind.Utc));
            added.Add(await SweepAsync());
        }

        // 8 days left: nothing; 7: the week reminder; 1: the day reminder; the last day and after: nothing more.
        Assert.Equal([0, 0, 1, 0, 0, 0, 1, 0, 0], added);
        var mails = await Seed.MailAsync();
        Assert.Equal([$"deadline:{cohort}:7:ana", $"deadline:{cohort}:1:ana"], mails.Select(m => m.Key));
        Assert.Equal(
            new DeadlineMailModel(cohort, "Spring cohort", course.Title, course.Slug, EndsOn, 7, 25),
            NotificationSeed.Model<DeadlineMailModel>(mails[0]));
        Assert.Equal(1, NotificationSeed.Model<DeadlineMailModel>(mails[1]).DaysLeft);
        Assert.All(mails, m => Assert.Equal((MailKinds.Deadline, (int?)cohort), (m.Kind, m.CohortId)));
    }

    [Fact]
    public async Task Deadline_FirstSweepInsideTheWeek_SendsTheWeekReminder_ThenTheDayOneLater()
    {
        var cohort = await Seed.CohortAsync((await Seed.CourseAsync()).Id, new DateOnly(2026, 2, 1), EndsOn);
        await Seed.TraineeAsync(cohort, "ana", enrolledAt: Enrolled);

        SetNow(new DateTime(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc));
        Assert.Equal(1, await SweepAsync());
        SetNow(new DateTime(2026, 3, 19, 12, 0, 0, DateTimeKind.Utc));
        Assert.Equal(1, await SweepAsync());

        Assert.Equal([(7, 5), (1, 1)], (await Seed.MailAsync()).Select(m => (int.Parse(m.Key.Split(':')[2]), NotificationSeed.Model<DeadlineMailModel>(m).DaysLeft)));
    }

    [Fact]
    public async Task Deadline_CountsDaysLeftInTheCohortsZone()
    {
        var course = await Seed.CourseAsync();
        var inDili = await Seed.CohortAsync(course.Id, new DateOnly(2026, 2, 1), EndsOn, "Asia/Dili", name: "Dili");
        var inUtc = await Seed.CohortAsync(course.Id, new DateOnly(2026, 2, 1), EndsOn, "Etc/UTC", name: "UTC");
        await Seed.TraineeAsync(inDili, "ana", enrolledAt: Enrolled);
        await Seed.TraineeAsync(inUtc, "ben", enrolledAt: Enrolled);

        // 16:00 UTC on 12 March (the trainees' daytime) is 01:00 on 13 March in Dili: 7 days left there, 8 in UTC.
        SetNow(new DateTime(2026, 3, 12, 16, 0, 0, DateTimeKind.Utc));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal([$"deadline:{inDili}:7:ana"], (await Seed.MailAsync()).Select(m => m.Key));
    }

    [Fact]
    public async Task Deadline_WaitsForDaytimeInEachTraineesOwnZone()
    {
        var cohort = await Seed.CohortAsync((await Seed.CourseAsync()).Id, new DateOnly(2026, 2, 1), EndsOn);
        await Seed.TraineeAsync(cohort, "dili", timeZone: "Asia/Dili", enrolledAt: Enrolled);
        await Seed.TraineeAsync(cohort, "sao", timeZone: "America/Sao_Paulo", enrolledAt: Enrolled);

        // 13 March in UTC, 7 days left. 03:00 UTC is noon in Dili and midnight in São Paulo; 15:00 UTC the reverse.
        SetNow(new DateTime(2026, 3, 13, 3, 0, 0, DateTimeKind.Utc));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(["dili"], (await Seed.MailAsync()).Select(m => m.UserId));
        SetNow(new DateTime(2026, 3, 13, 15, 0, 0, DateTimeKind.Utc));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(["dili", "sao"], (await Seed.MailAsync()).Select(m => m.UserId));
    }

    [Fact]
    public async Task Deadline_IsNotSentSingly_ToSomeoneWhoTurnedItOff_OrCollectsItInTheDigest()
    {
        var cohort = await Seed.CohortAsync((await Seed.CourseAsync()).Id, new DateOnly(2026, 2, 1), EndsOn);
        await Seed.TraineeAsync(cohort, "ana", enrolledAt: Enrolled);
        await Seed.TraineeAsync(cohort, "ben", enrolledAt: Enrolled);
        await Seed.TraineeAsync(cohort, "cara", enrolledAt: Enrolled);
        await Seed.PreferenceAsync("ben", MailKinds.Deadline, enabled: false);
        await Seed.PreferenceAsync("cara", MailKinds.Deadline, enabled: true, inDigest: true);

        SetNow(new DateTime(2026, 3, 13, 12, 0, 0, DateTimeKind.Utc));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(["ana"], (await Seed.MailAsync()).Select(m => m.UserId));
    }

    private void SetNow(DateTime utc) => _clock.Now = new DateTimeOffset(utc);

    private Task<int> SweepAsync() => Seed.SweepAsync(p => p.PlanDeadlinesAsync(Ct));
}
