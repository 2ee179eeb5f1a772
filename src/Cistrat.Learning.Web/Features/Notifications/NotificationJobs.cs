using Cistrat.Learning.Core.Notifications;
using Hangfire;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>Sends what is due in the outbox. The outbox keeps its own retries and backoff, so Hangfire does not retry.</summary>
public sealed class MailDispatchJob(MailDispatcher dispatcher)
{
    /// <summary>Well inside the storage's invisibility timeout, so that Hangfire never hands a running dispatch to another worker.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    [AutomaticRetry(Attempts = 0)]
    [Queue(JobQueues.Mail)]
    public Task RunAsync(CancellationToken ct) => dispatcher.DispatchAsync(Budget, ct);
}

/// <summary>The recurring sweeps that find due reminders in the database and put them in the outbox.</summary>
public sealed class ReminderSweepJob(ReminderPlanner planner, MailKick kick)
{
    [AutomaticRetry(Attempts = 2)]
    public async Task SessionsAsync(CancellationToken ct) => kick.AfterPlanning(await planner.PlanSessionMailAsync(ct));

    [AutomaticRetry(Attempts = 2)]
    public async Task NudgesAsync(CancellationToken ct) => kick.AfterPlanning(await planner.PlanNudgesAsync(ct));

    [AutomaticRetry(Attempts = 2)]
    public async Task DeadlinesAsync(CancellationToken ct) => kick.AfterPlanning(await planner.PlanDeadlinesAsync(ct));

    [AutomaticRetry(Attempts = 2)]
    public async Task DigestsAsync(CancellationToken ct) => kick.AfterPlanning(await planner.PlanDigestsAsync(ct));
}

/// <summary>Starts a dispatch right away after new mail was stored, instead of waiting for the next minute.</summary>
public sealed class MailKick(IBackgroundJobClient jobs)
{
    public void AfterPlanning(int added)
    {
        if (added > 0)
            Now();
    }

    public void Now() => jobs.Enqueue<MailDispatchJob>(j => j.RunAsync(CancellationToken.None));
}

public static class JobQueues
{
    public const string Mail = "mail";
    public const string Default = "default";
}
