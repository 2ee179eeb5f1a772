using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Certificates;

/// <summary>One trainee of a cohort as the certificates page sees them: what they have earned and hold.</summary>
public sealed record CertificateCandidate(
    int EnrolmentId,
    string UserId,
    string Name,
    string Email,
    string? Country,
    CompletionReport Report,
    bool Completed,
    int? AttendedPercent,
    IReadOnlyList<Certificate> Certificates)
{
    public bool EligibleFor(CertificateKind kind, int participationPercent) => kind switch
    {
        CertificateKind.Completion => Completed,
        _ => AttendedPercent is int p && p >= participationPercent,
    };

    /// <summary>The certificate of this kind the trainee holds now (valid or revoked; superseded ones are history).</summary>
    public Certificate? Current(CertificateKind kind) =>
        Certificates.Where(c => c.Kind == kind && c.Status != CertificateStatus.Superseded).MaxBy(c => c.Revision);
}

/// <summary>The result of minting one batch item.</summary>
public sealed record MintOutcome(Certificate? Certificate, bool Created, string? Error)
{
    public static MintOutcome Failed(string error) => new(null, false, error);
}

/// <summary>
/// Who may receive a certificate, batches of them, and the minting itself: exactly one certificate per enrolment, kind
/// and revision, whatever runs twice. Rendering, storing and mailing the document belong to the web host's job.
/// </summary>
public sealed class CertificateService(LearningDbContext db, TimeProvider time)
{
    public async Task<IReadOnlyList<CertificateCandidate>> CandidatesAsync(int cohortId, CancellationToken ct = default)
    {
        var reports = await new CompletionService(db, time).ReportCohortAsync(cohortId, ct);
        var people = await db.Enrolments.AsNoTracking()
            .Where(e => e.CohortId == cohortId && e.Status == EnrolmentStatus.Active)
            .Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { e.Id, e.UserId, u.FullName, u.Email, u.Country })
            .ToListAsync(ct);
        var completed = (await db.CompletionRecords.AsNoTracking()
            .Where(r => db.Enrolments.Any(e => e.Id == r.EnrolmentId && e.CohortId == cohortId))
            .Select(r => r.EnrolmentId).ToListAsync(ct)).ToHashSet();
        var certificates = (await db.Certificates.AsNoTracking().Where(c => c.CohortId == cohortId).ToListAsync(ct))
            .ToLookup(c => c.EnrolmentId);
        var attendance = await AttendanceSummary.ForCohortAsync(db, cohortId, time.GetUtcNow().UtcDateTime, ct);
        return people
            .Where(p => reports.ContainsKey(p.Id))
            .Select(p => new CertificateCandidate(
                p.Id, p.UserId, p.FullName, p.Email ?? "", p.Country, reports[p.Id],
                completed.Contains(p.Id) || reports[p.Id].IsComplete,
                attendance.ShareOf(p.UserId) is double share ? (int)Math.Floor((share * 100) + 1e-9) : null,
                [.. certificates[p.Id].OrderBy(c => c.Kind).ThenBy(c => c.Revision)]))
            .OrderBy(c => c.Name, StringComparer.CurrentCulture)
            .ToList();
    }

    /// <summary>Records a batch for these enrolments of the cohort (others are ignored); the caller hands it to the job server.</summary>
    public async Task<CertificateBatch?> StartBatchAsync(int cohortId, CertificateKind kind, IReadOnlyCollection<int> enrolmentIds, string? actorId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(enrolmentIds);
        var valid = await db.Enrolments
            .Where(e => e.CohortId == cohortId && e.Status == EnrolmentStatus.Active && enrolmentIds.Contains(e.Id))
            .Select(e => e.Id).ToListAsync(ct);
        if (valid.Count == 0)
            return null;
        var now = time.GetUtcNow().UtcDateTime;
        var batch = new CertificateBatch { CohortId = cohortId, Kind = kind, CreatedAt = now, RequestedById = actorId, Automatic = actorId is null };
        batch.Items.AddRange(valid.Order().Select(id => new CertificateBatchItem { EnrolmentId = id }));
        db.CertificateBatches.Add(batch);
        db.CertificateAudit.Add(new CertificateAuditEntry
        {
            At = now, CohortId = cohortId, ActorId = actorId, Action = AuditAction.BatchStarted,
            Detail = $"{kind} certificates for {valid.Count} trainee(s){(actorId is null ? ", issued automatically on completion" : "")}.",
        });
        await db.SaveChangesAsync(ct);
        return batch;
    }

    /// <summary>A batch of one that re-issues a certificate (after a name correction): the old one will be marked superseded.</summary>
    public async Task<CertificateBatch?> StartReissueAsync(int certificateId, string actorId, CancellationToken ct = default)
    {
        var old = await db.Certificates.AsNoTracking().SingleOrDefaultAsync(c => c.Id == certificateId, ct);
        if (old is null || old.Status != CertificateStatus.Valid)
            return null;
        var now = time.GetUtcNow().UtcDateTime;
        var batch = new CertificateBatch { CohortId = old.CohortId, Kind = old.Kind, CreatedAt = now, RequestedById = actorId };
        batch.Items.Add(new CertificateBatchItem { EnrolmentId = old.EnrolmentId, ReplacesId = old.Id });
        db.CertificateBatches.Add(batch);
        await db.SaveChangesAsync(ct);
        return batch;
    }

    public async Task<bool> RevokeAsync(int certificateId, string reason, string actorId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var now = time.GetUtcNow().UtcDateTime;
        // One conditional UPDATE: of two coordinators revoking at once, one revokes and the other is told it was done.
        var changed = await db.Certificates
            .Where(c => c.Id == certificateId && c.Status == CertificateStatus.Valid)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CertificateStatus.Revoked)
                .SetProperty(c => c.RevokedAt, now)
                .SetProperty(c => c.RevokedById, actorId)
                .SetProperty(c => c.RevocationReason, reason.Trim()), ct);
        if (changed == 0)
            return false;
        var certificate = await db.Certificates.AsNoTracking().Where(c => c.Id == certificateId).Select(c => new { c.CohortId, c.Serial, c.HolderName }).SingleAsync(ct);
        db.CertificateAudit.Add(new CertificateAuditEntry
        {
            At = now, CohortId = certificate.CohortId, CertificateId = certificateId, ActorId = actorId, Action = AuditAction.Revoked,
            Detail = $"{certificate.Serial} ({certificate.HolderName}) revoked: {reason.Trim()}",
        });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Mints the certificate of one batch item, or finds the one a previous run minted. <paramref name="sign"/> turns the
    /// new certificate into its signed credential (it may read every field except <see cref="Certificate.Id"/>).
    /// </summary>
    public async Task<MintOutcome> MintAsync(int itemId, Func<Certificate, CohortFacts, string> sign, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sign);
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            try
            {
                // One transaction: the certificate, its item's link to it, the superseded mark and the audit row
                // exist together or not at all.
                var strategy = db.Database.CreateExecutionStrategy();
                return await strategy.ExecuteAsync(async () =>
                {
                    db.ChangeTracker.Clear();
                    await using var tx = await db.Database.BeginTransactionAsync(ct);
                    var outcome = await MintOnceAsync(itemId, sign, ct);
                    await tx.CommitAsync(ct);
                    return outcome;
                });
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // A concurrent run minted this item or this enrolment's certificate, or a random serial or status
                // index collided: look again; what exists now decides.
            }
        }
    }

    private async Task<MintOutcome> MintOnceAsync(int itemId, Func<Certificate, CohortFacts, string> sign, CancellationToken ct)
    {
        var item = await db.CertificateBatchItems.SingleOrDefaultAsync(i => i.Id == itemId, ct);
        if (item is null)
            return MintOutcome.Failed($"Batch item {itemId} does not exist.");
        if (item.CertificateId is int done)
            return new MintOutcome(await db.Certificates.AsNoTracking().SingleAsync(c => c.Id == done, ct), false, null);

        var batch = await db.CertificateBatches.AsNoTracking().SingleAsync(b => b.Id == item.BatchId, ct);
        var enrolment = await db.Enrolments.AsNoTracking().SingleAsync(e => e.Id == item.EnrolmentId, ct);
        if (enrolment.Status != EnrolmentStatus.Active)
            return MintOutcome.Failed("The trainee's enrolment is no longer active.");
        var latest = await db.Certificates
            .Where(c => c.EnrolmentId == item.EnrolmentId && c.Kind == batch.Kind)
            .OrderByDescending(c => c.Revision).FirstOrDefaultAsync(ct);

        Certificate? replaced = null;
        if (item.ReplacesId is int replacesId)
        {
            // A re-issue replaces exactly the certificate it names, and only while that one is the current valid one.
            if (latest?.Id != replacesId || latest.Status != CertificateStatus.Valid)
                return await LinkExistingReplacementAsync(item, replacesId, ct);
            replaced = latest;
        }
        else if (latest is { Status: CertificateStatus.Valid })
        {
            // Already holds a valid certificate of this kind (an earlier batch): this item is that certificate.
            item.CertificateId = latest.Id;
            await db.SaveChangesAsync(ct);
            return new MintOutcome(latest, false, null);
        }

        var facts = await CohortFacts.LoadAsync(db, enrolment.CohortId, ct);
        var holder = await db.Users.AsNoTracking().Where(u => u.Id == enrolment.UserId).Select(u => u.FullName).SingleAsync(ct);
        if (string.IsNullOrWhiteSpace(holder))
            return MintOutcome.Failed("The trainee's profile has no full name to print on the certificate.");
        var now = time.GetUtcNow().UtcDateTime;
        var certificate = new Certificate
        {
            Serial = CertificateSerial.New(),
            EnrolmentId = enrolment.Id,
            CohortId = enrolment.CohortId,
            UserId = enrolment.UserId,
            Kind = batch.Kind,
            Revision = (latest?.Revision ?? 0) + 1,
            Status = CertificateStatus.Valid,
            HolderName = holder.Trim(),
            CourseTitle = facts.CourseTitle,
            CohortName = facts.CohortName,
            StartsOn = facts.StartsOn,
            EndsOn = facts.EndsOn,
            Hours = facts.Hours,
            Lecturers = string.Join(", ", facts.Lecturers),
            IssuedAt = now,
            IssuedById = batch.RequestedById,
            StatusListIndex = StatusList.RandomIndex(),
            ReplacesId = replaced?.Id,
        };
        certificate.CredentialJwt = sign(certificate, facts);
        db.Certificates.Add(certificate);
        await db.SaveChangesAsync(ct);

        item.CertificateId = certificate.Id;
        if (replaced is not null)
        {
            replaced.Status = CertificateStatus.Superseded;
            replaced.SupersededById = certificate.Id;
        }

        db.CertificateAudit.Add(new CertificateAuditEntry
        {
            At = now, CohortId = certificate.CohortId, CertificateId = certificate.Id, ActorId = batch.RequestedById,
            Action = replaced is null ? AuditAction.Issued : AuditAction.Reissued,
            Detail = replaced is null
                ? $"{certificate.Kind} certificate {certificate.Serial} issued to {certificate.HolderName}{(batch.Automatic ? " automatically on completion" : "")}."
                : $"{certificate.Serial} issued to {certificate.HolderName}, replacing {replaced.Serial} (issued to {replaced.HolderName}).",
        });
        await db.SaveChangesAsync(ct);
        return new MintOutcome(certificate, true, null);
    }

    private async Task<MintOutcome> LinkExistingReplacementAsync(CertificateBatchItem item, int replacesId, CancellationToken ct)
    {
        var replacement = await db.Certificates.SingleOrDefaultAsync(c => c.ReplacesId == replacesId, ct);
        if (replacement is null)
            return MintOutcome.Failed("The certificate to re-issue is no longer the trainee's valid certificate (revoked or replaced meanwhile).");
        item.CertificateId = replacement.Id;
        await db.SaveChangesAsync(ct);
        return new MintOutcome(replacement, false, null);
    }
}

/// <summary>What a certificate says about its cohort and course, read once per mint.</summary>
public sealed record CohortFacts(
    int CohortId, string CohortName, string CourseSlug, string CourseTitle, string CourseSummary,
    DateOnly StartsOn, DateOnly EndsOn, decimal Hours, IReadOnlyList<string> Lecturers)
{
    public static async Task<CohortFacts> LoadAsync(LearningDbContext db, int cohortId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var cohort = await db.Cohorts.AsNoTracking().Where(c => c.Id == cohortId)
            .Select(c => new { c.Id, c.Name, c.StartsOn, c.EndsOn, c.Course!.Slug, c.Course.Title, c.Course.Summary, c.Course.EstimatedHours })
            .SingleAsync(ct);
        var lecturers = await db.CohortStaff.AsNoTracking()
            .Where(s => s.CohortId == cohortId && s.Role == StaffRole.Lecturer)
            .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => u.FullName)
            .OrderBy(n => n)
            .ToListAsync(ct);
        return new CohortFacts(cohort.Id, cohort.Name, cohort.Slug, cohort.Title, cohort.Summary, cohort.StartsOn, cohort.EndsOn,
            cohort.EstimatedHours, lecturers.Where(n => !string.IsNullOrWhiteSpace(n)).ToList());
    }
}
