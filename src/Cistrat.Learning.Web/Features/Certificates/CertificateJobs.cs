using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Features.Notifications;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Certificates;

/// <summary>Hands a batch's items to the job server, one job per trainee.</summary>
public sealed class CertificateBatchJob(LearningDbContext db, IBackgroundJobClient jobs, TimeProvider time)
{
    [AutomaticRetry(Attempts = 3)]
    [Queue(JobQueues.Default)]
    public async Task StartAsync(int batchId, CancellationToken ct)
    {
        var items = await db.CertificateBatchItems.AsNoTracking()
            .Where(i => i.BatchId == batchId && i.Status == BatchItemStatus.Pending)
            .Select(i => i.Id).ToListAsync(ct);
        // Enqueued again after a crash, an item may get two jobs: the second finds the work done.
        foreach (var item in items)
            jobs.Enqueue<CertificateJob>(j => j.IssueAsync(item, CancellationToken.None));
        var now = time.GetUtcNow().UtcDateTime;
        await db.CertificateBatches.Where(b => b.Id == batchId).ExecuteUpdateAsync(s => s.SetProperty(b => b.EnqueuedAt, now), ct);
    }

    /// <summary>Starts a batch right after it was recorded (the sweep starts any whose start was lost).</summary>
    public static void Enqueue(IBackgroundJobClient jobs, int batchId) =>
        jobs.Enqueue<CertificateBatchJob>(j => j.StartAsync(batchId, CancellationToken.None));
}

/// <summary>Mints, renders, stores and mails one trainee's certificate.</summary>
public sealed class CertificateJob(CertificateIssuer issuer)
{
    // The issuer counts attempts itself and marks the item failed after the last; these are Hangfire's retries.
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [5, 15, 30, 60, 120])]
    [Queue(JobQueues.Default)]
    public Task IssueAsync(int itemId, CancellationToken ct) => issuer.IssueAsync(itemId, ct);
}

/// <summary>
/// Every minute: turns completions in cohorts that issue automatically into batches, and starts batches whose start
/// job was lost (the process stopped between recording a batch and enqueuing it).
/// </summary>
public sealed class CertificateSweepJob(LearningDbContext db, CertificateService certificates, IBackgroundJobClient jobs, TimeProvider time)
{
    [AutomaticRetry(Attempts = 2)]
    public async Task RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var messages = await db.OutboxMessages
            .Where(m => m.Kind == CompletionService.CompletionReachedKind && m.ProcessedAt == null)
            .OrderBy(m => m.Id).Take(500).ToListAsync(ct);
        if (messages.Count > 0)
        {
            var enrolmentIds = messages.Select(EnrolmentOf).OfType<int>().ToList();
            var automatic = await db.Enrolments.AsNoTracking()
                .Where(e => enrolmentIds.Contains(e.Id) && e.Cohort!.AutoIssueCertificates)
                .Select(e => new { e.Id, e.CohortId }).ToListAsync(ct);
            var ids = messages.Select(m => m.Id).ToList();
            // The messages are claimed and their batches recorded in one transaction: a sweep that dies half-way
            // leaves the messages for the next one, and of two sweeps at once only one claims them.
            var strategy = db.Database.CreateExecutionStrategy();
            var started = await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var claimed = await db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.ProcessedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, now), ct);
                if (claimed != ids.Count)
                    return new List<int>();
                var batches = new List<int>();
                foreach (var cohort in automatic.GroupBy(e => e.CohortId))
                {
                    if (await certificates.StartBatchAsync(cohort.Key, CertificateKind.Completion, [.. cohort.Select(e => e.Id)], actorId: null, ct) is { } batch)
                        batches.Add(batch.Id);
                }

                await tx.CommitAsync(ct);
                return batches;
            });
            foreach (var batchId in started)
                CertificateBatchJob.Enqueue(jobs, batchId);
        }

        var lost = await db.CertificateBatches
            .Where(b => b.EnqueuedAt == null && b.CreatedAt < now.AddMinutes(-2))
            .Select(b => b.Id).ToListAsync(ct);
        foreach (var batchId in lost)
            CertificateBatchJob.Enqueue(jobs, batchId);
    }

    private static int? EnrolmentOf(Core.Completion.OutboxMessage message)
    {
        using var json = System.Text.Json.JsonDocument.Parse(message.PayloadJson);
        return json.RootElement.TryGetProperty("enrolmentId", out var id) && id.TryGetInt32(out var value) ? value : null;
    }
}
