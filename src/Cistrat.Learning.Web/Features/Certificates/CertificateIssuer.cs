using System.Security.Cryptography;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Certificates.Pdf;
using Cistrat.Learning.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Features.Certificates;

/// <summary>
/// The work of one batch item: mint (or find) the certificate, render and store its PDF, queue its mail. Every step
/// checks what a previous run already did, so a job retried after a crash finishes the work without repeating it.
/// </summary>
public sealed class CertificateIssuer(
    LearningDbContext db,
    CertificateService certificates,
    CertificateDocuments documents,
    CredentialSigner signer,
    MailKick mailKick,
    IMemoryCache cache,
    IOptions<CertificateOptions> options,
    TimeProvider time)
{
    public async Task<BatchItemStatus> IssueAsync(int itemId, CancellationToken ct)
    {
        var attempts = await CountAttemptAsync(itemId, ct);
        if (attempts is null)
            return BatchItemStatus.Failed;
        try
        {
            // A name no installed font can draw fails the item here, before a certificate exists that could never be printed.
            var outcome = await certificates.MintAsync(itemId, (certificate, facts) =>
            {
                documents.CheckFonts(certificate);
                return signer.Sign(certificate, facts);
            }, ct);
            if (outcome.Certificate is not { } certificate)
                return await FinishAsync(itemId, BatchItemStatus.Failed, outcome.Error, ct);
            // A re-issue has just marked the old certificate replaced: this node's revocation list shows it at once.
            if (outcome.Created && certificate.ReplacesId is not null)
                CertificatesRegistration.StatusListChanged(cache);

            await EnsureFileAsync(certificate, ct);
            await QueueMailAsync(certificate, ct);
            return await FinishAsync(itemId, BatchItemStatus.Done, null, ct);
        }
        catch (Exception e) when (e is CertificateFontException or CertificateTemplateException)
        {
            // Configuration the coordinator can act on (a missing font, a broken template): retrying will not help.
            return await FinishAsync(itemId, BatchItemStatus.Failed, e.Message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && attempts >= options.Value.JobAttempts)
        {
            return await FinishAsync(itemId, BatchItemStatus.Failed, $"Gave up after {attempts} attempts: {e.Message}", ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await db.CertificateBatchItems.Where(i => i.Id == itemId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Error, Truncate($"Attempt {attempts} failed, will retry: {e.Message}")), ct);
            throw;
        }
    }

    /// <summary>The stored PDF, rendering and storing it first if a crash left it missing.</summary>
    public async Task<byte[]> EnsureFileAsync(Certificate certificate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var stored = await db.CertificateFiles.AsNoTracking().Where(f => f.CertificateId == certificate.Id).Select(f => f.Pdf).SingleOrDefaultAsync(ct);
        if (stored is not null)
            return stored;
        var pdf = documents.RenderPdf(certificate);
        db.CertificateFiles.Add(new CertificateFile
        {
            CertificateId = certificate.Id, Pdf = pdf, Sha256 = Convert.ToHexStringLower(SHA256.HashData(pdf)), RenderedAt = time.GetUtcNow().UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another run stored it first: theirs stands.
            db.ChangeTracker.Clear();
        }

        return pdf;
    }

    private async Task QueueMailAsync(Certificate certificate, CancellationToken ct)
    {
        var recipient = (await Recipient.LoadAsync(db, [certificate.UserId], ct)).GetValueOrDefault(certificate.UserId);
        if (recipient is null)
            return;
        var model = new CertificateMailModel(certificate.Id, certificate.Serial, certificate.Kind.ToString(), certificate.CourseTitle, certificate.CohortName, certificate.ReplacesId is not null);
        var mail = recipient.Mail($"certificate:{certificate.Id}", MailKinds.CertificateIssued, model, time.GetUtcNow().UtcDateTime, certificate.CohortId);
        await MailOutbox.AddNewAsync(db, [mail], ct);
    }

    private async Task<int?> CountAttemptAsync(int itemId, CancellationToken ct)
    {
        var changed = await db.CertificateBatchItems.Where(i => i.Id == itemId && i.Status == BatchItemStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Attempts, i => i.Attempts + 1), ct);
        if (changed == 0)
            return null;
        return await db.CertificateBatchItems.Where(i => i.Id == itemId).Select(i => i.Attempts).SingleAsync(ct);
    }

    private async Task<BatchItemStatus> FinishAsync(int itemId, BatchItemStatus status, string? error, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var message = error is null ? null : Truncate(error);
        await db.CertificateBatchItems.Where(i => i.Id == itemId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, status).SetProperty(i => i.Error, message).SetProperty(i => i.FinishedAt, now), ct);
        // One mail dispatch per batch, when its last item is done (each item marks itself before it looks, so of two
        // finishing together at least one sees the batch finished), rather than one per certificate: a dispatch is a
        // job of its own, and 1,000 of them cost as much as the certificates. The minute's dispatch sends meanwhile.
        var batchId = await db.CertificateBatchItems.Where(i => i.Id == itemId).Select(i => i.BatchId).SingleAsync(ct);
        if (!await db.CertificateBatchItems.AnyAsync(i => i.BatchId == batchId && i.Status == BatchItemStatus.Pending, ct))
            mailKick.Now();
        return status;
    }

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..1997] + "...";
}

/// <summary>Signs a certificate's Open Badges credential with the current key.</summary>
public sealed class CredentialSigner(CredentialKeyRing keys, CredentialIssuer issuer)
{
    public string Sign(Certificate certificate, CohortFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return VcJwt.Sign(OpenBadgeCredential.Build(certificate, facts.CourseSlug, facts.CourseSummary, issuer), keys.Signing);
    }
}
