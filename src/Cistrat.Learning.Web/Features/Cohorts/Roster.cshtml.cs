using System.Security.Claims;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Features.Account;
using Cistrat.Learning.Web.Features.Catalogue;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Cohorts;

/// <summary>
/// One cohort's roster with each trainee's progress: its lecturers and coordinators see it; only its
/// coordinators (and admins) enrol people and decide requests.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public class RosterModel(
    LearningDbContext db,
    CourseCatalog catalog,
    CohortAccess access,
    EnrolmentService enrolments,
    CompletionService completion,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    public const int MaxEmailsPerList = 500;

    public Cohort Cohort { get; private set; } = null!;

    public CourseOutline? Course { get; private set; }

    public CohortPermissions Permissions { get; private set; } = CohortPermissions.None;

    public IReadOnlyList<RosterRow> Trainees { get; private set; } = [];

    public IReadOnlyList<RosterRow> Requests { get; private set; } = [];

    public IReadOnlyList<RosterRow> Former { get; private set; } = [];

    public IReadOnlyList<Invitation> Invitations { get; private set; } = [];

    public IReadOnlyList<string> Staff { get; private set; } = [];

    public IReadOnlyDictionary<int, CompletionReport> Completion { get; private set; } = new Dictionary<int, CompletionReport>();

    public IReadOnlyDictionary<int, DateTime> CompletedAt { get; private set; } = new Dictionary<int, DateTime>();

    [BindProperty]
    public string? Emails { get; set; }

    public BulkEnrolmentResult? LastResult { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        return Page();
    }

    public async Task<IActionResult> OnPostEnrolAsync(int id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        if (!Permissions.CanManage)
            return Forbid();
        var list = (Emails ?? "").Split([',', '،', ';', '\n', '\r', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (list.Length == 0 || list.Length > MaxEmailsPerList)
        {
            ModelState.AddModelError(nameof(Emails), localizer["Paste between 1 and {0} email addresses.", MaxEmailsPerList].Value);
            return Page();
        }

        LastResult = await enrolments.EnrolByEmailAsync(id, list, User.FindFirstValue(ClaimTypes.NameIdentifier)!, ct);
        if (LastResult.Invalid.Count > 0)
        {
            // Keep the bad addresses in the box so the coordinator can correct them; the good ones are done.
            Emails = string.Join(Environment.NewLine, LastResult.Invalid);
            ModelState.AddModelError(nameof(Emails), localizer["These addresses are not valid and were skipped: {0}", string.Join(", ", LastResult.Invalid)].Value);
        }
        else
        {
            Emails = null;
        }

        await LoadAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDecideAsync(int id, int enrolmentId, bool approve, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        if (!Permissions.CanManage)
            return Forbid();
        var done = await enrolments.DecideAsync(enrolmentId, id, approve, User.FindFirstValue(ClaimTypes.NameIdentifier)!, ct);
        if (done)
            TempData["Message"] = (approve ? localizer["Request approved."] : localizer["Request declined."]).Value;
        else
            TempData["Error"] = localizer["That request was already decided or withdrawn."].Value;
        return RedirectToPage(new { id });
    }

    private async Task<IActionResult?> LoadAsync(int id, CancellationToken ct)
    {
        var cohort = await db.Cohorts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (cohort is null)
            return NotFound();
        Permissions = await access.ForAsync(User, id, ct);
        if (!Permissions.CanViewRoster)
            return Forbid();
        Cohort = cohort;
        Course = await catalog.FindAsync(cohort.CourseId, ct);

        var people = await db.Enrolments.AsNoTracking()
            .Where(e => e.CohortId == id)
            .Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { e.Id, e.UserId, e.Status, e.RequestedAt, u.FullName, u.Email, u.Country, u.Organisation })
            .OrderBy(p => p.FullName)
            .ToListAsync(ct);
        var userIds = people.Select(p => p.UserId).ToList();
        var progress = await db.LessonProgress.AsNoTracking()
            .Where(p => p.CourseId == cohort.CourseId && userIds.Contains(p.UserId))
            .Select(p => new { p.UserId, p.LessonId, p.CompletedAt, p.LastVisitedAt })
            .ToListAsync(ct);
        var byUser = progress.ToLookup(p => p.UserId);

        var rows = people.Select(p =>
        {
            var done = byUser[p.UserId].Where(x => x.CompletedAt != null).Select(x => x.LessonId).ToHashSet();
            var courseProgress = Course?.ProgressOf(done);
            var last = byUser[p.UserId].Select(x => (DateTime?)x.LastVisitedAt).Max();
            return new RosterRow(p.Id, p.FullName, p.Email ?? "", Countries.NameOf(p.Country), p.Organisation, p.Status,
                p.RequestedAt, courseProgress?.Done ?? 0, courseProgress?.Total ?? 0, courseProgress?.Percent ?? 0, last);
        }).ToList();
        Trainees = rows.Where(r => r.Status == EnrolmentStatus.Active).ToList();
        Requests = rows.Where(r => r.Status == EnrolmentStatus.Pending).ToList();
        Former = rows.Where(r => r.Status is EnrolmentStatus.Withdrawn or EnrolmentStatus.Rejected).ToList();
        Completion = await completion.ReportCohortAsync(id, ct);
        CompletedAt = await db.CompletionRecords.AsNoTracking()
            .Where(r => db.Enrolments.Any(e => e.Id == r.EnrolmentId && e.CohortId == id))
            .ToDictionaryAsync(r => r.EnrolmentId, r => r.CompletedAt, ct);
        Invitations = Permissions.CanManage
            ? await db.Invitations.AsNoTracking().Where(i => i.CohortId == id && i.RedeemedAt == null).OrderBy(i => i.NormalizedEmail).ToListAsync(ct)
            : [];
        Staff = await db.CohortStaff.AsNoTracking().Where(s => s.CohortId == id)
            .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => u.FullName + " (" + (s.Role == StaffRole.Lecturer ? "L" : "C") + ")")
            .ToListAsync(ct);
        return null;
    }

    public sealed record RosterRow(int EnrolmentId, string FullName, string Email, string Country, string? Organisation, EnrolmentStatus Status,
        DateTime RequestedAt, int Done, int Total, int Percent, DateTime? LastActivity);
}
