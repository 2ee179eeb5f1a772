using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Tests.Content;

namespace Cistrat.Learning.Core.Tests.Notifications;

/// <summary>ReminderPlanner.PlanNudgesAsync over a real SQLite database (default daytime 09:00 to 19:00).</summary>
public sealed class NudgePlanningTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    // A Tuesday, midday in UTC.
    private static readonly DateTime Start = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime LongAgo = new(2026, 2, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly ManualClock _clock = new(new DateTimeOffset(Start));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotificationSeed Seed => new(database, _clock);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    public async ValueTask InitializeAsync() => await database.ResetAsync(Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Nudge_GoesToActiveTraineesIdleForTheNudgePeriod_AndNotBefore()
    {
        var course = await Seed.CourseAsync();
        var cohort = await CohortAsync(course.Id);
        await Seed.TraineeAsync(cohort, "ana", enrolledAt: Start - TimeSpan.FromDays(7) + TimeSpan.FromHours(1));
        await Seed.TraineeAsync(cohort, "ben", status: EnrolmentStatus.Withdrawn, enrolledAt: LongAgo);
        await Seed.TraineeAsync(cohort, "cara", status: EnrolmentStatus.Pending, enrolledAt: LongAgo);
        await Seed.CompletedAsync(await Seed.TraineeAsync(cohort, "dora", enrolledAt: LongAgo));
        var eve = await Seed.TraineeAsync(cohort, "eve", enrolledAt: LongAgo);

        Assert.Equal(1, await SweepAsync());
        var mail = Assert.Single(await Seed.MailAsync());
        Assert.Equal(($"nudge:{eve}:{LongAgo.Ticks}", MailKinds.InactivityNudge, "eve", (int?)cohort), (mail.Key, mail.Kind, mail.UserId, mail.CohortId));

        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(["ana", "eve"], (await Seed.MailAsync()).Select(m => m.UserId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Nudge_CountsLessonsQuizAttemptsAndAttendanceInTheCohort_AsActivity()
    {
        var course = await Seed.CourseAsync();
        var cohort = await CohortAsync(course.Id);
        var other = await CohortAsync(course.Id, name: "Other cohort");
        var session = await Seed.SessionAsync(cohort, Start.AddDays(-3));
        var otherSession = await Seed.SessionAsync(other, Start.AddDays(-1));
        var recently = Start.AddDays(-3);

        await Seed.TraineeAsync(cohort, "lena", enrolledAt: LongAgo);
        await Seed.LessonAsync("lena", course, "terms", recently, completed: false);
        var quinn = await Seed.TraineeAsync(cohort, "quinn", enrolledAt: LongAgo);
        await Seed.QuizAttemptAsync(quinn, "quinn", course, startedAt: LongAgo, savedAt: recently);
        var otto = await Seed.TraineeAsync(cohort, "otto", enrolledAt: LongAgo);
        await Seed.QuizAttemptAsync(otto, "otto", course, startedAt: recently);
        await Seed.TraineeAsync(cohort, "vera", enrolledAt: LongAgo);
        await Seed.AttendedAsync(session, "vera", recently);
        // Being in another cohort's room says nothing about this one.
        var walt = await Seed.TraineeAsync(cohort, "walt", enrolledAt: LongAgo);
        await Seed.EnrolAsync(other, "walt", at: LongAgo);
        await Seed.AttendedAsync(otherSession, "walt", Start.AddDays(-1));
        var ida = await Seed.TraineeAsync(cohort, "ida", enrolledAt: LongAgo);

        await SweepAsync();

        Assert.Equal(
            new[] { $"nudge:{ida}:{LongAgo.Ticks}", $"nudge:{walt}:{LongAgo.Ticks}" }.Order(StringComparer.Ordinal),
            (await Seed.MailAsync()).Where(m => m.CohortId == cohort).Select(m => m.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Nudge_WaitsForDaytimeInEachTraineesOwnZone()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "dili", timeZone: "Asia/Dili", enrolledAt: LongAgo);
        await Seed.TraineeAsync(cohort, "sao", timeZone: "America/Sao_Paulo", enrolledAt: LongAgo);

        // 10:00 UTC: 19:00 in Dili (UTC+9), 07:00 in São Paulo (UTC-3): night for both.
        _clock.Now = new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(0, await SweepAsync());

        // Midnight UTC: 09:00 in Dili, 21:00 in São Paulo.
        _clock.Now = new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(["dili"], (await Seed.MailAsync()).Select(m => m.UserId));

        // Noon UTC: 21:00 in Dili, 09:00 in São Paulo.
        _clock.Now = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(["dili", "sao"], (await Seed.MailAsync()).Select(m => m.UserId));
    }

    [Fact]
    public async Task Nudge_IsOnePerSpellOfInactivity_AndANewSpellGetsANewOne()
    {
        var course = await Seed.CourseAsync();
        var cohort = await CohortAsync(course.Id);
        var eve = await Seed.TraineeAsync(cohort, "eve", enrolledAt: LongAgo);

        Assert.Equal(1, await SweepAsync());
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromDays(5));
        Assert.Equal(0, await SweepAsync());

        var back = Now;
        await Seed.LessonAsync("eve", course, "intro", back);
        _clock.Advance(TimeSpan.FromDays(6));
        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(0, await SweepAsync());

        var mails = await Seed.MailAsync();
        Assert.Equal([$"nudge:{eve}:{LongAgo.Ticks}", $"nudge:{eve}:{back.Ticks}"], mails.Select(m => m.Key));
        Assert.Equal([(Start - LongAgo).Days, 7], mails.Select(m => NotificationSeed.Model<NudgeMailModel>(m).DaysInactive));
    }

    [Fact]
    public async Task Nudge_IsOnlyForCohortsRunningToday_InTheCohortsOwnZone()
    {
        // 16:00 UTC on 1 March is already 01:00 on 2 March in Dili; trainees are in UTC, so it is their daytime.
        _clock.Now = new DateTimeOffset(2026, 3, 1, 16, 0, 0, TimeSpan.Zero);
        var course = await Seed.CourseAsync();
        var march2 = new DateOnly(2026, 3, 2);
        var march1 = new DateOnly(2026, 3, 1);
        var startingInDili = await Seed.CohortAsync(course.Id, march2, march2.AddDays(60), "Asia/Dili", name: "Starting in Dili");
        var startingInUtc = await Seed.CohortAsync(course.Id, march2, march2.AddDays(60), "Etc/UTC", name: "Starting in UTC");
        var endedInDili = await Seed.CohortAsync(course.Id, march1.AddDays(-60), march1, "Asia/Dili", name: "Ended in Dili");
        var endingInUtc = await Seed.CohortAsync(course.Id, march1.AddDays(-60), march1, "Etc/UTC", name: "Last day in UTC");
        var nudgesOff = await Seed.CohortAsync(course.Id, march1.AddDays(-60), march2.AddDays(60), nudgeAfterDays: null, name: "No nudges");
        await Seed.TraineeAsync(startingInDili, "a", enrolledAt: LongAgo);
        await Seed.TraineeAsync(startingInUtc, "b", enrolledAt: LongAgo);
        await Seed.TraineeAsync(endedInDili, "c", enrolledAt: LongAgo);
        await Seed.TraineeAsync(endingInUtc, "d", enrolledAt: LongAgo);
        await Seed.TraineeAsync(nudgesOff, "e", enrolledAt: LongAgo);

        // Only the cohort on its last day in UTC is both running and idle long enough: the ones starting today count
        // idle time from their own first day, not from an enrolment two months earlier.
        Assert.Equal(1, await SweepAsync());
        Assert.Equal([endingInUtc], (await Seed.MailAsync()).Select(m => m.CohortId ?? 0));

        // A week on, the cohort that began at midnight in Dili (15:00 UTC the day before) has been running seven days;
        // the one that began at midnight UTC has not yet.
        _clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal([startingInDili, endingInUtc], (await Seed.MailAsync()).Select(m => m.CohortId ?? 0).Order());
    }

    [Fact]
    public async Task Nudge_WaitsLongerInACohortWithALongerNudgePeriod()
    {
        var course = await Seed.CourseAsync();
        var cohort = await Seed.CohortAsync(course.Id, new DateOnly(2026, 2, 1), new DateOnly(2026, 6, 30), nudgeAfterDays: 14);
        await Seed.TraineeAsync(cohort, "ana", enrolledAt: Start.AddDays(-10));

        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromDays(4));
        Assert.Equal(1, await SweepAsync());
    }

    [Fact]
    public async Task Nudge_SaysHowFarTheTraineeIs_AndWhichLessonComesNext()
    {
        var course = await Seed.CourseAsync();
        var cohort = await CohortAsync(course.Id);
        var ana = await Seed.TraineeAsync(cohort, "ana", enrolledAt: LongAgo);
        await Seed.LessonAsync("ana", course, "intro", Start.AddDays(-12));
        // A retired lesson done counts for nothing and is never "next".
        await Seed.LessonAsync("ana", course, "old", Start.AddDays(-11));
        await Seed.LessonAsync("ana", course, "terms", Start.AddDays(-9), completed: false);
        await Seed.TraineeAsync(cohort, "ben", enrolledAt: LongAgo);
        await Seed.LessonAsync("ben", course, "intro", Start.AddDays(-20));
        await Seed.LessonAsync("ben", course, "terms", Start.AddDays(-20));
        await Seed.LessonAsync("ben", course, "review", Start.AddDays(-20));

        Assert.Equal(2, await SweepAsync());

        var mails = await Seed.MailAsync();
        var toAna = mails.Single(m => m.UserId == "ana");
        Assert.Equal($"nudge:{ana}:{Start.AddDays(-9).Ticks}", toAna.Key);
        Assert.Equal(
            new NudgeMailModel(cohort, "Spring cohort", course.Title, course.Slug, 9, 25, "Terms", "/courses/data/lessons/terms"),
            NotificationSeed.Model<NudgeMailModel>(toAna));
        var toBen = NotificationSeed.Model<NudgeMailModel>(mails.Single(m => m.UserId == "ben"));
        Assert.Equal((20, 75, "First steps", "/courses/data/lessons/first-steps"), (toBen.DaysInactive, toBen.PercentComplete, toBen.NextLessonTitle, toBen.NextLessonPath));
    }

    [Fact]
    public async Task Nudge_IsNotPlanned_ForATraineeWhoTurnedNudgesOff()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana", enrolledAt: LongAgo);
        await Seed.TraineeAsync(cohort, "ben", enrolledAt: LongAgo);
        await Seed.PreferenceAsync("ana", MailKinds.InactivityNudge, enabled: false);

        Assert.Equal(1, await SweepAsync());
        Assert.Equal(["ben"], (await Seed.MailAsync()).Select(m => m.UserId));
    }

    private Task<int> CohortAsync(int courseId, string name = "Spring cohort") =>
        Seed.CohortAsync(courseId, new DateOnly(2026, 2, 1), new DateOnly(2026, 6, 30), name: name);

    private Task<int> SweepAsync() => Seed.SweepAsync(p => p.PlanNudgesAsync(Ct));
}
