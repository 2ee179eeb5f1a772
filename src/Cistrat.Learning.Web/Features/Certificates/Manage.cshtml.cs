using System.ComponentModel.DataAnnotations;
using System.IO.Compression;
using System.Security.Claims;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Features.Certificates.Pdf;
using Cistrat.Learning.Web.Features.Cohorts;
using Cistrat.Learning.Web.Infrastructure.Localization;
using Cistrat.Learning.Web.Infrastructure.Security;
using Hangfire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Certificates;

/// <summary>
/// A cohort's certificates for its coordinators: who has earned which kind (and why others have not), issuing in
/// batches with live progress, revoking, re-issuing, the zip of all PDFs, the settings and the audit log.
/// </summary>
[Authorize(Policy = Policies.Coordinator)]
public class ManageModel(
    LearningDbContext db,
    CohortAccess access,
    CertificateService certificates,
    CertificateIssuer issuer,
    CertificateDocuments documents,
    CertificateFonts fonts,
    IBackgroundJobClient jobs,
    IMemoryCache cache,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    public int CohortId { get; private set; }

    public string CohortName { get; private set; } = "";

    [BindProperty(SupportsGet = true)]
    public CertificateKind Kind { get; set; } = CertificateKind.Completion;

    public IReadOnlyList<CertificateCandidate> Candidates { get; private set; } = [];

    public IReadOnlyList<BatchProgress> Batches { get; private set; } = [];

    public IReadOnlyList<AuditLine> Audit { get; private set; } = [];

    public IReadOnlyList<string> Problems { get; private set; } = [];

    [BindProperty]
    public SettingsInput Settings { get; set; } = new();

    [BindProperty]
    public List<int> Selected { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct) =>
        await LoadAsync(id, ct) ?? Page();

    public async Task<IActionResult> OnPostIssueAsync(int id, bool all, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        if (!Enum.IsDefined(Kind))
            return BadRequest();
        var percent = Settings.ParticipationAttendancePercent;
        var chosen = all
            // A revoked certificate was revoked on purpose: only an explicit selection issues that trainee a new one.
            ? Candidates.Where(c => c.EligibleFor(Kind, percent) && c.Current(Kind) is null).ToList()
            : Candidates.Where(c => Selected.Contains(c.EnrolmentId)).ToList();
        var notEligible = chosen.Where(c => !c.EligibleFor(Kind, percent)).Select(c => c.Name).ToList();
        if (notEligible.Count > 0)
            ModelState.AddModelError("", localizer["Not eligible for this certificate: {0}. Only trainees who meet its rule can receive it.", string.Join(", ", notEligible)]);
        var fresh = chosen.Where(c => c.Current(Kind) is not { Status: CertificateStatus.Valid }).ToList();
        if (ModelState.IsValid && fresh.Count == 0)
            ModelState.AddModelError("", all ? localizer["Everyone eligible already holds this certificate."] : localizer["Select at least one trainee who does not hold this certificate yet."]);
        if (!ModelState.IsValid)
            return Page();

        var batch = await certificates.StartBatchAsync(id, Kind, [.. fresh.Select(c => c.EnrolmentId)], UserId, ct);
        CertificateBatchJob.Enqueue(jobs, batch!.Id);
        TempData["Message"] = localizer["Issuing {0} certificate(s): follow the progress below.", fresh.Count].Value;
        return RedirectToPage(new { id, kind = Kind });
    }

    public async Task<IActionResult> OnPostSettingsAsync(int id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct, keepSettings: true) is { } refusal)
            return refusal;
        if (!ModelState.IsValid)
            return Page();
        var cohort = await db.Cohorts.SingleAsync(c => c.Id == id, ct);
        cohort.AutoIssueCertificates = Settings.AutoIssue;
        cohort.ParticipationAttendancePercent = Settings.ParticipationAttendancePercent;
        db.CertificateAudit.Add(new CertificateAuditEntry
        {
            At = time.GetUtcNow().UtcDateTime, CohortId = id, ActorId = UserId, Action = AuditAction.SettingsChanged,
            Detail = $"Automatic issuing {(Settings.AutoIssue ? "on" : "off")}; participation needs {Settings.ParticipationAttendancePercent}% attendance.",
        });
        await db.SaveChangesAsync(ct);
        TempData["Message"] = localizer["Certificate settings saved."].Value;
        return RedirectToPage(new { id, kind = Kind });
    }

    public async Task<IActionResult> OnPostRevokeAsync(int id, int certificateId, string? reason, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 1000)
        {
            ModelState.AddModelError("", localizer["Give the reason for the revocation (at most 1,000 characters); it is kept in the audit log."]);
            return Page();
        }

        if (!await db.Certificates.AnyAsync(c => c.Id == certificateId && c.CohortId == id, ct))
            return NotFound();
        var revoked = await certificates.RevokeAsync(certificateId, reason, UserId, ct);
        CertificatesRegistration.StatusListChanged(cache);
        TempData["Message"] = revoked ? localizer["The certificate was revoked. Its verification page says so from now on."].Value : localizer["That certificate was not valid any more (already revoked or replaced)."].Value;
        return RedirectToPage(new { id, kind = Kind });
    }

    public async Task<IActionResult> OnPostReissueAsync(int id, int certificateId, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        if (!await db.Certificates.AnyAsync(c => c.Id == certificateId && c.CohortId == id, ct))
            return NotFound();
        var batch = await certificates.StartReissueAsync(certificateId, UserId, ct);
        if (batch is null)
        {
            ModelState.AddModelError("", localizer["Only a valid certificate can be re-issued."]);
            return Page();
        }

        CertificateBatchJob.Enqueue(jobs, batch.Id);
        TempData["Message"] = localizer["Re-issuing with the name in the trainee's profile now; the old certificate will be marked as replaced."].Value;
        return RedirectToPage(new { id, kind = Kind });
    }

    /// <summary>A batch's progress, polled by the page's progress bar.</summary>
    public async Task<IActionResult> OnGetProgressAsync(int id, int batchId, CancellationToken ct)
    {
        if (!(await access.ForAsync(User, id, ct)).CanManage)
            return Forbid();
        var progress = (await BatchProgress.LoadAsync(db, id, batchId, ct)).SingleOrDefault();
        if (progress is null)
            return NotFound();
        return new JsonResult(new
        {
            progress.Total, progress.Done, progress.Failed, progress.Pending, progress.Failures,
            Text = localizer["{0} of {1} issued, {2} failed", progress.Done, progress.Total, progress.Failed].Value,
        });
    }

    /// <summary>Every valid certificate of the cohort (of the chosen kind) as one zip of PDFs.</summary>
    public async Task<IActionResult> OnGetZipAsync(int id, CancellationToken ct)
    {
        if (!(await access.ForAsync(User, id, ct)).CanManage)
            return Forbid();
        var cohort = await db.Cohorts.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.Name }).SingleOrDefaultAsync(ct);
        if (cohort is null)
            return NotFound();
        var valid = await db.Certificates.AsNoTracking()
            .Where(c => c.CohortId == id && c.Kind == Kind && c.Status == CertificateStatus.Valid)
            .OrderBy(c => c.HolderName).ToListAsync(ct);
        var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var certificate in valid)
            {
                var pdf = await issuer.EnsureFileAsync(certificate, ct);
                // PDFs are compressed already; the holder's name keeps the files recognisable, the serial keeps them unique.
                var entry = zip.CreateEntry($"{Slug(certificate.HolderName)}-{certificate.Serial}.pdf", CompressionLevel.NoCompression);
                await using var stream = await entry.OpenAsync(ct);
                await stream.WriteAsync(pdf, ct);
            }
        }

        db.CertificateAudit.Add(new CertificateAuditEntry
        {
            At = time.GetUtcNow().UtcDateTime, CohortId = id, ActorId = UserId, Action = AuditAction.Downloaded,
            Detail = $"Downloaded {valid.Count} {Kind} certificate(s) as a zip.",
        });
        await db.SaveChangesAsync(ct);
        buffer.Position = 0;
        return File(buffer, "application/zip", $"certificates-{Slug(cohort.Name)}-{Kind.ToString().ToLowerInvariant()}.zip");
    }

    public bool Eligible(CertificateCandidate candidate) => candidate.EligibleFor(Kind, Settings.ParticipationAttendancePercent);

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private async Task<IActionResult?> LoadAsync(int id, CancellationToken ct, bool keepSettings = false)
    {
        var cohort = await db.Cohorts.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { c.Name, c.AutoIssueCertificates, c.ParticipationAttendancePercent }).SingleOrDefaultAsync(ct);
        if (cohort is null)
            return NotFound();
        if (!(await access.ForAsync(User, id, ct)).CanManage)
            return Forbid();
        CohortId = id;
        CohortName = cohort.Name;
        if (!keepSettings)
            Settings = new SettingsInput { AutoIssue = cohort.AutoIssueCertificates, ParticipationAttendancePercent = cohort.ParticipationAttendancePercent };
        Candidates = await certificates.CandidatesAsync(id, ct);
        Batches = await BatchProgress.LoadAsync(db, id, batchId: null, ct);
        Audit = await db.CertificateAudit.AsNoTracking().Where(a => a.CohortId == id).OrderByDescending(a => a.Id).Take(50)
            .GroupJoin(db.Users, a => a.ActorId, u => u.Id, (a, u) => new { a, u })
            .SelectMany(x => x.u.DefaultIfEmpty(), (x, u) => new AuditLine(x.a.At, u == null ? null : u.FullName, x.a.Action, x.a.Detail))
            .ToListAsync(ct);
        var problems = new List<string>();
        if (fonts.MissingFiles() is { Count: > 0 } missing)
            problems.Add(localizer["Some certificate fonts are not installed, so names in some scripts cannot be printed: {0}", string.Join(", ", missing)]);
        problems.AddRange(documents.TemplateProblems());
        Problems = problems;
        return null;
    }

    private static string Slug(string text)
    {
        var kept = new string([.. text.Select(c => char.IsLetterOrDigit(c) ? c : '-')]).Trim('-');
        while (kept.Contains("--", StringComparison.Ordinal))
            kept = kept.Replace("--", "-", StringComparison.Ordinal);
        return kept.Length == 0 ? "certificate" : kept[..Math.Min(kept.Length, 60)];
    }

    public sealed class SettingsInput
    {
        public bool AutoIssue { get; set; }

        [Range(1, 100, ErrorMessage = "The attendance share is a percentage from 1 to 100.")]
        public int ParticipationAttendancePercent { get; set; } = 75;
    }
}

public sealed record AuditLine(DateTime At, string? Actor, AuditAction Action, string Detail);

public sealed record BatchFailure(string Name, string Error);

/// <summary>One batch's counts, for the progress bar.</summary>
public sealed record BatchProgress(int Id, CertificateKind Kind, DateTime CreatedAt, bool Automatic, int Total, int Done, int Failed, IReadOnlyList<BatchFailure> Failures)
{
    public int Pending => Total - Done - Failed;

    public static async Task<IReadOnlyList<BatchProgress>> LoadAsync(LearningDbContext db, int cohortId, int? batchId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var batches = await db.CertificateBatches.AsNoTracking()
            .Where(b => b.CohortId == cohortId && (batchId == null || b.Id == batchId))
            .OrderByDescending(b => b.Id).Take(10)
            .Select(b => new
            {
                b.Id, b.Kind, b.CreatedAt, b.Automatic,
                Total = b.Items.Count,
                Done = b.Items.Count(i => i.Status == BatchItemStatus.Done),
                Failed = b.Items.Count(i => i.Status == BatchItemStatus.Failed),
            })
            .ToListAsync(ct);
        var ids = batches.Select(b => b.Id).ToList();
        var failures = (await db.CertificateBatchItems.AsNoTracking()
                .Where(i => ids.Contains(i.BatchId) && i.Status == BatchItemStatus.Failed)
                .Join(db.Enrolments, i => i.EnrolmentId, e => e.Id, (i, e) => new { i.BatchId, i.Error, e.UserId })
                .Join(db.Users, x => x.UserId, u => u.Id, (x, u) => new { x.BatchId, x.Error, u.FullName })
                .ToListAsync(ct))
            .ToLookup(x => x.BatchId, x => new BatchFailure(x.FullName, x.Error ?? ""));
        return batches.Select(b => new BatchProgress(b.Id, b.Kind, b.CreatedAt, b.Automatic, b.Total, b.Done, b.Failed, [.. failures[b.Id]])).ToList();
    }
}
