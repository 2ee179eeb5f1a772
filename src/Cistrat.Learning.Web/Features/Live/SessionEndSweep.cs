using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>
/// When a live session ends, its attendance may complete trainees of a cohort whose rule counts attendance:
/// once a minute, the cohorts of sessions that ended since the last look are evaluated (recording a completion
/// is idempotent, so two nodes sweeping, or a restart, change nothing twice).
/// </summary>
public sealed partial class SessionEndSweep(IServiceScopeFactory scopes, TimeProvider time, ILogger<SessionEndSweep> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LookBackAtStart = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var since = time.GetUtcNow().UtcDateTime - LookBackAtStart;
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            var now = time.GetUtcNow().UtcDateTime;
            try
            {
                await SweepAsync(since, now, stoppingToken);
                since = now;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task SweepAsync(DateTime since, DateTime until, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        // Sessions last at most ten hours (the scheduling form's limit), so their start is at most that much earlier.
        var candidates = await db.LiveSessions.AsNoTracking()
            .Where(s => !s.Cancelled && s.StartsAt <= until && s.StartsAt > since.AddHours(-10))
            .Select(s => new { s.CohortId, s.StartsAt, s.DurationMinutes, s.Cohort!.CompletionRule.AttendanceSharePercent })
            .ToListAsync(ct);
        var cohorts = candidates
            .Where(s => s.AttendanceSharePercent > 0)
            .Where(s => s.StartsAt.AddMinutes(s.DurationMinutes) is var end && end > since && end <= until)
            .Select(s => s.CohortId).Distinct().ToList();
        var completion = scope.ServiceProvider.GetRequiredService<CompletionService>();
        foreach (var cohortId in cohorts)
            await completion.EvaluateCohortAsync(cohortId, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluating completion after ended live sessions failed; retrying in a minute")]
    private partial void LogSweepFailed(Exception e);
}
