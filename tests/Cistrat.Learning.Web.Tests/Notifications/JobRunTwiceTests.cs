using System.Reflection;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>
/// Every Hangfire job of the app (every class of the web assembly whose name ends in "Job"), each public method of it,
/// run twice through <see cref="JobTwice"/>, one run after the other and two at once. A job added without a scenario
/// here fails <see cref="EveryJobMethod_RunTwice_HasItsEffectOnce"/> until someone writes one.
/// </summary>
public sealed class JobRunTwiceTests(MailAppFactory app) : IClassFixture<MailAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetMailAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The app's job classes: every class of the web assembly whose name ends in "Job".</summary>
    public static IReadOnlyList<Type> JobClasses() =>
        typeof(MailDispatchJob).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && !t.IsNested && t.Name.EndsWith("Job", StringComparison.Ordinal))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    /// <summary>What Hangfire can be asked to run: the public instance methods the job classes declare.</summary>
    public static IReadOnlyList<MethodInfo> JobMethods() =>
        JobClasses()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName)
            .ToList();

    public static TheoryData<string, TwoRuns> EveryJobMethodTwice()
    {
        var data = new TheoryData<string, TwoRuns>();
        foreach (var method in JobMethods())
        {
            data.Add(JobTwice.NameOf(method), TwoRuns.OneAfterTheOther);
            data.Add(JobTwice.NameOf(method), TwoRuns.AtOnce);
        }

        return data;
    }

    [Fact]
    public void EveryJobClass_HasARunTwiceScenario_ForEachPublicMethod()
    {
        var classes = JobClasses();
        // The discovery itself must see the jobs known today, or the check below would pass on nothing.
        Assert.Contains(typeof(MailDispatchJob), classes);
        Assert.Contains(typeof(ReminderSweepJob), classes);
        var methods = JobMethods().Select(JobTwice.NameOf).ToList();
        Assert.Superset(
            new HashSet<string> { "MailDispatchJob.RunAsync", "ReminderSweepJob.SessionsAsync", "ReminderSweepJob.NudgesAsync", "ReminderSweepJob.DeadlinesAsync", "ReminderSweepJob.DigestsAsync" },
            methods.ToHashSet());

        var uncovered = methods.Where(m => !Scenarios.ContainsKey(m)).ToList();
        Assert.True(uncovered.Count == 0, $"Jobs without a run-twice scenario in {nameof(JobRunTwiceTests)}: {string.Join(", ", uncovered)}");
        Assert.All(classes, c => Assert.Contains(methods, m => m.StartsWith(c.Name + ".", StringComparison.Ordinal)));
        var stale = Scenarios.Keys.Where(k => !methods.Contains(k)).ToList();
        Assert.True(stale.Count == 0, $"Scenarios for job methods that no longer exist: {string.Join(", ", stale)}");
    }

    [Theory]
    [MemberData(nameof(EveryJobMethodTwice))]
    public async Task EveryJobMethod_RunTwice_HasItsEffectOnce(string jobMethod, TwoRuns runs)
    {
        Assert.True(Scenarios.TryGetValue(jobMethod, out var scenario), $"No run-twice scenario for {jobMethod}: add one to {nameof(JobRunTwiceTests)}.{nameof(Scenarios)}.");
        await scenario(this, runs);
    }

    private static readonly Dictionary<string, Func<JobRunTwiceTests, TwoRuns, Task>> Scenarios = new()
    {
        ["MailDispatchJob.RunAsync"] = (t, runs) => t.DispatchAsync(runs),
        ["ReminderSweepJob.SessionsAsync"] = (t, runs) => t.SessionsAsync(runs),
        ["ReminderSweepJob.NudgesAsync"] = (t, runs) => t.NudgesAsync(runs),
        ["ReminderSweepJob.DeadlinesAsync"] = (t, runs) => t.DeadlinesAsync(runs),
        ["ReminderSweepJob.DigestsAsync"] = (t, runs) => t.DigestsAsync(runs),
        ["CertificateJob.IssueAsync"] = (t, runs) => t.CertificatesAsync(Certificates.CertificateJobScenarios.IssueAsync, runs),
        ["CertificateBatchJob.StartAsync"] = (t, runs) => t.CertificatesAsync(Certificates.CertificateJobScenarios.StartBatchAsync, runs),
        ["CertificateSweepJob.RunAsync"] = (t, runs) => t.CertificatesAsync(Certificates.CertificateJobScenarios.SweepAsync, runs),
    };

    /// <summary>The certificate jobs' scenarios live with the certificate tests.</summary>
    private Task CertificatesAsync(Func<Infrastructure.LearningAppFactory, TwoRuns, Task> scenario, TwoRuns runs) => scenario(app, runs);

    /// <summary>Mail waiting in the outbox; the effect is each message that reaches the SMTP server.</summary>
    private async Task DispatchAsync(TwoRuns runs)
    {
        var people = new List<TestPerson>();
        for (var i = 0; i < 4; i++)
            people.Add(await MailWorld.PersonAsync(app, $"Reader {i}"));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var sender = scope.ServiceProvider.GetRequiredService<IEmailSender<ApplicationUser>>();
            foreach (var person in people)
                await sender.SendPasswordResetLinkAsync((await users.FindByIdAsync(person.Id))!, person.Email, $"https://learning.example.org/reset/{person.Id}");
        }

        var received = await JobTwice.AssertEffectOnceAsync<MailDispatchJob>(app.Services, j => j.RunAsync(CancellationToken.None),
            () => Task.FromResult<IReadOnlyList<string>>(app.Smtp.Messages.Select(m => $"{m.MessageId} to {m.To}").ToList()), runs);
        Assert.Equal(people.Count, received.Count);
        Assert.All(await MailWorld.OutboxAsync(app), r => Assert.Equal(MailStatus.Sent, r.Status));
    }

    /// <summary>A session starting in three hours: a reminder planned for its trainee and its lecturer.</summary>
    private async Task SessionsAsync(TwoRuns runs)
    {
        var lecturer = await MailWorld.PersonAsync(app, "Lecturer", role: Roles.Lecturer);
        var trainee = await MailWorld.PersonAsync(app, "Trainee");
        var cohort = await MailWorld.CohortAsync(app, lecturer);
        await MailWorld.EnrolAsync(app, cohort, trainee);
        await MailWorld.SessionAsync(app, cohort, "Foresight methods", MailWorld.Now(app).AddHours(3), lecturer);

        var planned = await JobTwice.AssertEffectOnceAsync<ReminderSweepJob>(app.Services, j => j.SessionsAsync(CancellationToken.None), Planned(MailKinds.SessionReminder), runs);
        Assert.Equal(2, planned.Count);
    }

    /// <summary>A trainee idle for ten days in a running cohort, in the early afternoon of their own day.</summary>
    private async Task NudgesAsync(TwoRuns runs)
    {
        var now = MailWorld.Now(app);
        var idle = await MailWorld.PersonAsync(app, "Idle Trainee", timeZone: MailWorld.AfternoonZone(now));
        var busy = await MailWorld.PersonAsync(app, "Busy Trainee", timeZone: MailWorld.AfternoonZone(now));
        var cohort = await MailWorld.CohortAsync(app);
        await MailWorld.StartedDaysAgoAsync(app, cohort, 20);
        await MailWorld.EnrolAsync(app, cohort, idle, since: now.AddDays(-10));
        await MailWorld.EnrolAsync(app, cohort, busy, since: now.AddDays(-1));

        var planned = await JobTwice.AssertEffectOnceAsync<ReminderSweepJob>(app.Services, j => j.NudgesAsync(CancellationToken.None), Planned(MailKinds.InactivityNudge), runs);
        Assert.StartsWith($"{MailKinds.InactivityNudge} for {idle.Id}:", Assert.Single(planned), StringComparison.Ordinal);
    }

    /// <summary>A cohort ending in three days: the "7 days" reminder for its trainee.</summary>
    private async Task DeadlinesAsync(TwoRuns runs)
    {
        var now = MailWorld.Now(app);
        var trainee = await MailWorld.PersonAsync(app, "Late Trainee", timeZone: MailWorld.AfternoonZone(now));
        var cohort = await MailWorld.CohortAsync(app, endsInDays: 3);
        await MailWorld.EnrolAsync(app, cohort, trainee);

        var planned = await JobTwice.AssertEffectOnceAsync<ReminderSweepJob>(app.Services, j => j.DeadlinesAsync(CancellationToken.None), Planned(MailKinds.Deadline), runs);
        Assert.StartsWith($"{MailKinds.Deadline} for {trainee.Id}:", Assert.Single(planned), StringComparison.Ordinal);
    }

    /// <summary>A Monday noon, and a trainee who asked for the weekly digest.</summary>
    private async Task DigestsAsync(TwoRuns runs)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var monday = now.Date.AddDays(((int)DayOfWeek.Monday - (int)now.DayOfWeek + 7) % 7).AddHours(12);
        if (monday < now)
            monday = monday.AddDays(7);
        app.Clock.Advance(monday - now);
        var reader = await MailWorld.PersonAsync(app, "Digest Reader");
        var other = await MailWorld.PersonAsync(app, "No Digest");
        var cohort = await MailWorld.CohortAsync(app);
        await MailWorld.EnrolAsync(app, cohort, reader);
        await MailWorld.EnrolAsync(app, cohort, other);
        await app.WithDbAsync(async db =>
        {
            db.NotificationPreferences.Add(new NotificationPreference { UserId = reader.Id, Kind = MailKinds.Digest, Enabled = true, UpdatedAt = monday });
            await db.SaveChangesAsync(Ct);
        });

        var planned = await JobTwice.AssertEffectOnceAsync<ReminderSweepJob>(app.Services, j => j.DigestsAsync(CancellationToken.None), Planned(MailKinds.Digest), runs);
        Assert.StartsWith($"{MailKinds.Digest} for {reader.Id}:", Assert.Single(planned), StringComparison.Ordinal);
    }

    /// <summary>
    /// The mail of one kind in the outbox, named by what the reader would get (kind, person, content) rather than by its
    /// key, so that the same mail planned twice under two keys would show as a duplicate.
    /// </summary>
    private Func<Task<IReadOnlyList<string>>> Planned(string kind) => async () =>
        await app.WithDbAsync(db => db.OutgoingMail.AsNoTracking().Where(m => m.Kind == kind)
            .Select(m => m.Kind + " for " + m.UserId + ": " + m.ModelJson).ToListAsync(Ct));
}
