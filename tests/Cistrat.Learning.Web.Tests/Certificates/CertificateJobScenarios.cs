using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Certificates;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Cistrat.Learning.Web.Tests.Notifications;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>
/// The run-twice scenarios of the certificate jobs, for <see cref="JobRunTwiceTests"/>. Each effect is named by what a
/// person would see twice (a second certificate for the same trainee, a second mail), never by a row id. Each scenario
/// removes its certificates afterwards: the shared reset of the mail tests does not know them.
/// </summary>
public static class CertificateJobScenarios
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One trainee's batch item: the effect is the certificate, its PDF and its mail.</summary>
    public static async Task IssueAsync(LearningAppFactory app, TwoRuns runs)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            var cohort = await CertificateWorld.CohortAsync(app);
            var holder = await CertificateWorld.TraineeAsync(app, "Amélie Run-Twice");
            var enrolment = await CertificateWorld.EnrolAsync(app, cohort, holder.Id);
            var batch = await StartAsync(app, cohort, [enrolment]);
            var item = Assert.Single(await CertificateWorld.ItemsAsync(app, batch)).Id;

            var effects = await JobTwice.AssertEffectOnceAsync<CertificateJob>(app.Services, j => j.IssueAsync(item, CancellationToken.None), () => IssuedAsync(app, cohort), runs);

            Assert.Equal(3, effects.Count);
            Assert.Equal(BatchItemStatus.Done, Assert.Single(await CertificateWorld.ItemsAsync(app, batch)).Status);
        }
        finally
        {
            await CertificateAppFactory.ForgetCertificatesAsync(app);
        }
    }

    /// <summary>
    /// A batch of two, started: the effect is what its jobs issue once the job server has run what the start enqueued (an
    /// item enqueued twice is allowed; a certificate issued twice is not).
    /// </summary>
    public static async Task StartBatchAsync(LearningAppFactory app, TwoRuns runs)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            var cohort = await CertificateWorld.CohortAsync(app);
            var enrolments = new List<int>();
            foreach (var name in new[] { "محمد عبد الله الفاسي", "王小明" })
                enrolments.Add(await CertificateWorld.EnrolAsync(app, cohort, (await CertificateWorld.TraineeAsync(app, name)).Id));
            var batch = await StartAsync(app, cohort, enrolments);
            var items = (await CertificateWorld.ItemsAsync(app, batch)).Select(i => i.Id).ToHashSet();
            var performed = new HashSet<string>(StringComparer.Ordinal);

            async Task<IReadOnlyList<string>> EffectAsync()
            {
                await PerformEnqueuedAsync(app, items, performed);
                return await IssuedAsync(app, cohort);
            }

            var effects = await JobTwice.AssertEffectOnceAsync<CertificateBatchJob>(app.Services, j => j.StartAsync(batch, CancellationToken.None), EffectAsync, runs);

            Assert.Equal(6, effects.Count);
            Assert.NotNull(await app.WithDbAsync(db => db.CertificateBatches.Where(b => b.Id == batch).Select(b => b.EnqueuedAt).SingleAsync(Ct)));
        }
        finally
        {
            await CertificateAppFactory.ForgetCertificatesAsync(app);
        }
    }

    /// <summary>A completion in a cohort that issues automatically: the effect is the automatic batch's item for the trainee.</summary>
    public static async Task SweepAsync(LearningAppFactory app, TwoRuns runs)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            var cohort = await CertificateWorld.CohortAsync(app);
            await app.WithDbAsync(db => db.Cohorts.Where(c => c.Id == cohort).ExecuteUpdateAsync(s => s.SetProperty(c => c.AutoIssueCertificates, true), Ct));
            var holder = await CertificateWorld.TraineeAsync(app, "Kebede Completes");
            var enrolment = await CertificateWorld.EnrolAsync(app, cohort, holder.Id);
            await CertificateWorld.MeetTheRuleAsync(app, holder.Id);
            await using (var scope = app.Services.CreateAsyncScope())
                Assert.True((await scope.ServiceProvider.GetRequiredService<CompletionService>().EvaluateEnrolmentAsync(enrolment, Ct))!.IsComplete);

            var effects = await JobTwice.AssertEffectOnceAsync<CertificateSweepJob>(app.Services, j => j.RunAsync(CancellationToken.None), () => app.WithDbAsync(async db =>
                (IReadOnlyList<string>)await db.CertificateBatchItems
                    .Join(db.CertificateBatches, i => i.BatchId, b => b.Id, (i, b) => new { i.EnrolmentId, b.Kind, b.Automatic, b.CohortId })
                    .Join(db.Enrolments, x => x.EnrolmentId, e => e.Id, (x, e) => new { x.Kind, x.Automatic, x.CohortId, e.UserId })
                    .Join(db.Users, x => x.UserId, u => u.Id, (x, u) => $"{(x.Automatic ? "automatic" : "manual")} {x.Kind} batch in cohort {x.CohortId} for {u.FullName}")
                    .ToListAsync(Ct)), runs);

            Assert.Equal($"automatic Completion batch in cohort {cohort} for Kebede Completes", Assert.Single(effects));
            Assert.Equal(0, await app.WithDbAsync(db => db.OutboxMessages.CountAsync(m => m.Kind == CompletionService.CompletionReachedKind && m.ProcessedAt == null, Ct)));
        }
        finally
        {
            await CertificateAppFactory.ForgetCertificatesAsync(app);
        }
    }

    private static async Task<int> StartAsync(LearningAppFactory app, int cohort, IReadOnlyCollection<int> enrolments)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var batch = await scope.ServiceProvider.GetRequiredService<CertificateService>().StartBatchAsync(cohort, CertificateKind.Completion, enrolments, actorId: null, Ct);
        return Assert.IsType<CertificateBatch>(batch).Id;
    }

    /// <summary>Certificates, stored PDFs and queued mails of the cohort, named by their holder.</summary>
    private static Task<IReadOnlyList<string>> IssuedAsync(LearningAppFactory app, int cohort) => app.WithDbAsync(async db =>
    {
        var certificates = await db.Certificates.Where(c => c.CohortId == cohort).Select(c => $"{c.Kind} certificate for {c.HolderName}").ToListAsync(Ct);
        var files = await db.CertificateFiles.Join(db.Certificates, f => f.CertificateId, c => c.Id, (f, c) => new { c.CohortId, c.HolderName })
            .Where(x => x.CohortId == cohort).Select(x => $"PDF of {x.HolderName}'s certificate").ToListAsync(Ct);
        var mails = await db.OutgoingMail.Where(m => m.CohortId == cohort && m.Kind == MailKinds.CertificateIssued).Select(m => $"certificate mail to {m.ToName}").ToListAsync(Ct);
        return (IReadOnlyList<string>)[.. certificates, .. files, .. mails];
    });

    /// <summary>
    /// What the job server would do with the certificate jobs enqueued for these items (no server runs in the mail tests'
    /// host): each job not run yet, run once, in a scope of its own.
    /// </summary>
    private static async Task PerformEnqueuedAsync(LearningAppFactory app, HashSet<int> items, HashSet<string> performed)
    {
        var enqueued = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 1000);
        foreach (var (jobId, job) in enqueued)
        {
            if (job.Job is not { } call || call.Type != typeof(CertificateJob) || call.Args[0] is not int item || !items.Contains(item) || !performed.Add(jobId))
                continue;
            await CertificateWorld.RunJobAsync(app, item);
        }
    }
}
