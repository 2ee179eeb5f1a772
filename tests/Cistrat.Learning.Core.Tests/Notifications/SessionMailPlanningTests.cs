using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Tests.Content;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Tests.Notifications;

/// <summary>ReminderPlanner.PlanSessionMailAsync over a real SQLite database, with the default 24 h and 1 h leads.</summary>
public sealed class SessionMailPlanningTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc);

    private readonly ManualClock _clock = new(new DateTimeOffset(Start));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotificationSeed Seed => new(database, _clock);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    public async ValueTask InitializeAsync() => await database.ResetAsync(Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task SessionMail_RemindsActiveTraineesAndTheSessionsLecturers_AtEachLeadTime()
    {
        var course = await Seed.CourseAsync();
        var cohort = await CohortAsync(course.Id);
        var other = await CohortAsync(course.Id, "Other cohort");
        await Seed.TraineeAsync(cohort, "ana", timeZone: "Asia/Dili");
        await Seed.TraineeAsync(cohort, "ben", status: EnrolmentStatus.Withdrawn);
        await Seed.TraineeAsync(cohort, "cara", status: EnrolmentStatus.Pending);
        await Seed.TraineeAsync(other, "dan");
        await Seed.UserAsync("lee");
        // ana lectures too: she is one person, with one reminder.
        var session = await Seed.SessionAsync(cohort, Start.AddHours(25), ["lee", "ana"]);

        Assert.Equal(0, await SweepAsync());
        Assert.Empty(await Seed.MailAsync());

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, await SweepAsync());
        var ticks = Start.AddHours(25).Ticks;
        Assert.Equal([$"session-reminder:{session}:24h:{ticks}:ana", $"session-reminder:{session}:24h:{ticks}:lee"], await KeysAsync());

        _clock.Advance(TimeSpan.FromHours(22) + TimeSpan.FromMinutes(59));
        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, await SweepAsync());
        Assert.Equal(
            [$"session-reminder:{session}:1h:{ticks}:ana", $"session-reminder:{session}:1h:{ticks}:lee",
             $"session-reminder:{session}:24h:{ticks}:ana", $"session-reminder:{session}:24h:{ticks}:lee"],
            await KeysAsync());

        var mail = (await Seed.MailAsync()).Single(m => m.Key == $"session-reminder:{session}:1h:{ticks}:ana");
        Assert.Equal((MailKinds.SessionReminder, "ana", "ana@example.org", "ana Name", "Asia/Dili", (int?)cohort, MailStatus.Pending, Now),
            (mail.Kind, mail.UserId, mail.ToAddress, mail.ToName, mail.TimeZoneId, mail.CohortId, mail.Status, mail.NextAttemptAt));
        var model = NotificationSeed.Model<SessionMailModel>(mail);
        Assert.Equal(
            new SessionMailModel(session, 0, "Weekly clinic", "Spring cohort", course.Title, Start.AddHours(25), 90, "Africa/Algiers",
                "https://meet.example.org/clinic", Cancelled: false, "1h"),
            model);
    }

    [Fact]
    public async Task SessionMail_ForASessionThreeHoursAhead_SendsTheDayReminderNow_AndTheHourReminderLater()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        var session = await Seed.SessionAsync(cohort, Start.AddHours(3));

        Assert.Equal(1, await SweepAsync());
        Assert.Equal("24h", NotificationSeed.Model<SessionMailModel>(Assert.Single(await Seed.MailAsync())).Occasion);

        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(59));
        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(["24h", "1h"], (await Seed.MailAsync()).Select(m => NotificationSeed.Model<SessionMailModel>(m).Occasion));

        // Once it has begun nothing more is due.
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await SweepAsync());
        Assert.Equal(2, (await Seed.MailAsync()).Count);
        Assert.All(await Seed.MailAsync(), m => Assert.StartsWith($"session-reminder:{session}:", m.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SessionMail_AfterARescheduling_RemindsAgainUnderNewKeys_AndSendsTheUpdateOnceSettled()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        var session = await Seed.SessionAsync(cohort, Start.AddHours(20));
        Assert.Equal(1, await SweepAsync());

        await Seed.ChangeSessionAsync(session, s => s.StartsAt = Start.AddHours(22));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(
            [$"session-reminder:{session}:24h:{Start.AddHours(20).Ticks}:ana", $"session-reminder:{session}:24h:{Start.AddHours(22).Ticks}:ana"],
            await KeysAsync());

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await SweepAsync());
        var update = Assert.Single(await Seed.MailAsync(MailKinds.SessionUpdate));
        Assert.Equal($"session-update:{session}:1:ana", update.Key);
        var model = NotificationSeed.Model<SessionMailModel>(update);
        Assert.Equal(("update", 1, Start.AddHours(22), false), (model.Occasion, model.Sequence, model.StartsAtUtc, model.Cancelled));
    }

    [Fact]
    public async Task SessionMail_ForACancelledSession_SendsNoReminder_OnlyTheUpdate()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        await Seed.UserAsync("lee");
        var session = await Seed.SessionAsync(cohort, Start.AddHours(5), ["lee"]);
        await Seed.ChangeSessionAsync(session, s => s.Cancelled = true);

        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(2, await SweepAsync());
        _clock.Advance(TimeSpan.FromHours(4));
        Assert.Equal(0, await SweepAsync());

        var mails = await Seed.MailAsync();
        Assert.Equal([$"session-update:{session}:1:ana", $"session-update:{session}:1:lee"], mails.Select(m => m.Key).Order(StringComparer.Ordinal));
        Assert.All(mails, m => Assert.True(NotificationSeed.Model<SessionMailModel>(m).Cancelled));
    }

    [Fact]
    public async Task SessionUpdate_IsOnePerSequence_SentOnlyOnceTheEditsHaveSettled()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        // Beyond the reminder horizon: only updates are due.
        var session = await Seed.SessionAsync(cohort, Start.AddDays(5));

        await Seed.ChangeSessionAsync(session, s => s.Title = "Clinic (moved room)");
        _clock.Advance(TimeSpan.FromMinutes(1));
        await Seed.ChangeSessionAsync(session, s => s.StartsAt = Start.AddDays(5).AddHours(1));
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(59));
        Assert.Equal(0, await SweepAsync());
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(0, await SweepAsync());
        Assert.Equal([$"session-update:{session}:2:ana"], await KeysAsync());

        _clock.Advance(TimeSpan.FromHours(1));
        await Seed.ChangeSessionAsync(session, s => s.DurationMinutes = 60);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal([$"session-update:{session}:2:ana", $"session-update:{session}:3:ana"], await KeysAsync());
        Assert.Equal(60, NotificationSeed.Model<SessionMailModel>((await Seed.MailAsync())[^1]).DurationMinutes);
    }

    [Fact]
    public async Task SessionUpdate_IsNotSent_ForAChangeOlderThanTwoDays()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        var stale = await Seed.SessionAsync(cohort, Start.AddDays(10), title: "Stale");
        var recent = await Seed.SessionAsync(cohort, Start.AddDays(10), title: "Recent");
        await Seed.ChangeSessionAsync(stale, s => s.Title = "Stale, renamed");
        _clock.Advance(TimeSpan.FromMinutes(2));
        await Seed.ChangeSessionAsync(recent, s => s.Title = "Recent, renamed");

        // The first sweep after the changes runs late, as after a long outage.
        _clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1));

        Assert.Equal(1, await SweepAsync());
        Assert.Equal([$"session-update:{recent}:1:ana"], await KeysAsync());
    }

    [Fact]
    public async Task SessionMail_IsNotPlanned_ForSomeoneWhoTurnedTheKindOff()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        await Seed.TraineeAsync(cohort, "ben");
        await Seed.TraineeAsync(cohort, "cara");
        await Seed.TraineeAsync(cohort, "dora");
        await Seed.UserAsync("lee");
        await Seed.PreferenceAsync("ana", MailKinds.SessionReminder, enabled: false);
        await Seed.PreferenceAsync("ben", MailKinds.SessionUpdate, enabled: false);
        await Seed.PreferenceAsync("lee", MailKinds.SessionReminder, enabled: false);
        // Session mail cannot go to the digest: asking for it still sends it singly.
        await Seed.PreferenceAsync("dora", MailKinds.SessionReminder, enabled: true, inDigest: true);
        var session = await Seed.SessionAsync(cohort, Start.AddHours(10), ["lee"]);
        await Seed.ChangeSessionAsync(session, s => s.AvLink = "https://meet.example.org/other");
        _clock.Advance(TimeSpan.FromMinutes(5));

        await SweepAsync();

        var mails = await Seed.MailAsync();
        Assert.Equal(["ben", "cara", "dora"], mails.Where(m => m.Kind == MailKinds.SessionReminder).Select(m => m.UserId).Order(StringComparer.Ordinal));
        Assert.Equal(["ana", "cara", "dora", "lee"], mails.Where(m => m.Kind == MailKinds.SessionUpdate).Select(m => m.UserId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SessionSweep_RunTwice_AddsNothingTheSecondTime()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        await Seed.TraineeAsync(cohort, "ana");
        await Seed.TraineeAsync(cohort, "ben");
        var session = await Seed.SessionAsync(cohort, Start.AddHours(12));
        await Seed.SessionAsync(cohort, Start.AddMinutes(30));
        await Seed.ChangeSessionAsync(session, s => s.Title = "Renamed");
        _clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(6, await SweepAsync());
        var first = await KeysAsync();

        Assert.Equal(0, await SweepAsync());
        Assert.Equal(first, await KeysAsync());
    }

    [Fact]
    public async Task SessionSweep_RunOnTwoContextsAtOnce_AddsEveryKeyExactlyOnce()
    {
        var cohort = await CohortAsync((await Seed.CourseAsync()).Id);
        var trainees = Enumerable.Range(1, 40).Select(i => $"trainee-{i:00}").ToList();
        foreach (var id in trainees)
            await Seed.TraineeAsync(cohort, id);
        await Seed.UserAsync("lee");
        var changed = await Seed.SessionAsync(cohort, Start.AddHours(3), ["lee"]);
        await Seed.SessionAsync(cohort, Start.AddHours(6), ["lee"]);
        await Seed.SessionAsync(cohort, Start.AddHours(20), ["lee"]);
        await Seed.ChangeSessionAsync(changed, s => s.Title = "Renamed");
        _clock.Advance(TimeSpan.FromMinutes(2));

        // Three sessions' "24h" reminders and one update, to 41 people each.
        await SweepTwiceAtOnceAndAssertAsync(expectedTotal: 4 * 41);

        // Two hours on, the first session's "1h" reminders are due: the sweeps race again.
        _clock.Advance(TimeSpan.FromHours(2));
        await SweepTwiceAtOnceAndAssertAsync(expectedTotal: 5 * 41);
    }

    private async Task SweepTwiceAtOnceAndAssertAsync(int expectedTotal)
    {
        var before = (await Seed.MailAsync()).Count;
        using var gate = new Barrier(2);
        var sweeps = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await using var db = Seed.CreateContext();
            var planner = Seed.Planner(db);
            gate.SignalAndWait(Ct);
            return await planner.PlanSessionMailAsync(Ct);
        }, Ct));

        var added = await Task.WhenAll(sweeps);

        Assert.Equal(expectedTotal - before, added.Sum());
        await using var check = Seed.CreateContext();
        Assert.Equal(expectedTotal, await check.OutgoingMail.CountAsync(Ct));
        Assert.Equal(0, await check.OutgoingMail.GroupBy(m => m.Key).CountAsync(g => g.Count() > 1, Ct));
    }

    private Task<int> CohortAsync(int courseId, string name = "Spring cohort") =>
        Seed.CohortAsync(courseId, new DateOnly(2026, 2, 1), new DateOnly(2026, 6, 30), name: name);

    private Task<int> SweepAsync() => Seed.SweepAsync(p => p.PlanSessionMailAsync(Ct));

    private async Task<List<string>> KeysAsync() => (await Seed.MailAsync()).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();
}
