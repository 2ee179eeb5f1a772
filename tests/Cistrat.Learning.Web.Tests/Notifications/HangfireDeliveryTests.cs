using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>
/// The jobs as Hangfire runs them: a Hangfire server in the test host, on the app's own SQLite job storage, picks up
/// an enqueued sweep, which plans reminders and kicks a dispatch, which delivers them to the SMTP server.
/// </summary>
public sealed class HangfireDeliveryTests(HangfireMailAppFactory app) : IClassFixture<HangfireMailAppFactory>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public async ValueTask InitializeAsync() => await app.ResetMailAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task SweepEnqueuedThroughHangfire_LeadsToDeliveredMail()
    {
        var lecturer = await MailWorld.PersonAsync(app, "Lecturer Hangfire", role: Roles.Lecturer);
        var trainee = await MailWorld.PersonAsync(app, "Trainee Hangfire");
        var cohort = await MailWorld.CohortAsync(app, lecturer);
        await MailWorld.EnrolAsync(app, cohort, trainee);
        var session = await MailWorld.SessionAsync(app, cohort, "Hangfire session", MailWorld.Now(app).AddHours(2), lecturer);

        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        var sweep = jobs.Enqueue<ReminderSweepJob>(j => j.SessionsAsync(CancellationToken.None));

        var storage = app.Services.GetRequiredService<JobStorage>();
        await EventuallyAsync(() => Task.FromResult(app.Smtp.Messages.Count >= 2), () => $"two messages at the SMTP server; {Jobs(storage)}; outbox: {Outbox()}; the app logged: {app.Log}");
        var messages = app.Smtp.Messages;
        Assert.Equal(
            new[] { lecturer.Email, trainee.Email }.Order(StringComparer.Ordinal),
            messages.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        Assert.All(messages, m => Assert.StartsWith($"Reminder: {session.Title}, ", m.Subject, StringComparison.Ordinal));

        await EventuallyAsync(async () => (await MailWorld.OutboxAsync(app)).All(r => r.Status == MailStatus.Sent), () => "the outbox rows to be marked sent");
        await EventuallyAsync(() => Task.FromResult(StateOf(storage, sweep) == SucceededState.StateName), () => $"the sweep job to succeed; {Jobs(storage)}");
        Assert.Equal(2, app.Smtp.Messages.Count);
    }

    private string Outbox() =>
        string.Join("; ", app.WithDbAsync(db => db.OutgoingMail.Select(m => $"{m.Key} {m.Status} {m.Attempts} {m.LastError}").ToListAsync()).GetAwaiter().GetResult());

    private static string? StateOf(JobStorage storage, string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    /// <summary>What Hangfire did, for a failure message: each job's state, and the error of any that failed.</summary>
    private static string Jobs(JobStorage storage)
    {
        var monitor = storage.GetMonitoringApi();
        var stats = monitor.GetStatistics();
        var failed = monitor.FailedJobs(0, 10).Select(j => $"{j.Value.Job?.Type.Name}.{j.Value.Job?.Method.Name}: {j.Value.ExceptionMessage}");
        var scheduled = monitor.ScheduledJobs(0, 10).Select(j => $"{j.Value.Job?.Type.Name}.{j.Value.Job?.Method.Name} (retry)");
        var succeeded = monitor.SucceededJobs(0, 10).Select(j => $"{j.Value.Job?.Type.Name}.{j.Value.Job?.Method.Name} succeeded");
        var queued = monitor.Queues().Select(q => $"queue {q.Name}: {q.Length}");
        failed = failed.Concat(succeeded).Concat(queued);
        return $"Hangfire: {stats.Servers} servers, {stats.Enqueued} enqueued, {stats.Processing} processing, {stats.Succeeded} succeeded, "
            + $"{stats.Scheduled} scheduled, {stats.Failed} failed [{string.Join("; ", failed.Concat(scheduled))}]";
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <see cref="Wait"/>.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
                Assert.Fail($"Waited {Wait.TotalSeconds:0} s for {what()}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
