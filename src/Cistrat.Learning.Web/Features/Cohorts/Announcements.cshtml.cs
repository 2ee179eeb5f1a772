using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Cohorts;

/// <summary>
/// A cohort's announcements: its coordinators write to all active trainees or a filtered part of them; the message
/// goes out by mail (to those who want it) and shows on each recipient's dashboard. Lecturers read the list.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public class AnnouncementsModel(
    LearningDbContext db,
    CohortAccess access,
    AnnouncementService announcements,
    MailKick kick,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    public Cohort Cohort { get; private set; } = null!;

    public CohortPermissions Permissions { get; private set; } = CohortPermissions.None;

    public IReadOnlyList<Posted> Past { get; private set; } = [];

    public IReadOnlyList<string> Countries { get; private set; } = [];

    [BindProperty]
    public Draft Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct) =>
        await LoadAsync(id, ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        if (!Permissions.CanManage)
            return Forbid();
        if (Input.Audience == AnnouncementAudience.Country && !Countries.Contains(Input.Country?.Trim().ToUpperInvariant()))
            ModelState.AddModelError("Input.Country", localizer["Choose a country that trainees of this cohort are from."].Value);
        if (!Enum.IsDefined(Input.Audience))
            ModelState.AddModelError("Input.Audience", localizer["Choose who the announcement is for."].Value);
        if (!ModelState.IsValid)
            return Page();

        var posted = await announcements.PostAsync(id, User.FindFirstValue(ClaimTypes.NameIdentifier)!, Input.Subject!, Input.Body!, Input.Audience, Input.Country, ct);
        if (posted.RecipientCount > 0)
            kick.Now();
        TempData["Message"] = posted.RecipientCount == 0
            ? localizer["The announcement is saved, but no trainee matches that audience, so nobody received it."].Value
            : localizer["Announcement sent to {0} trainees.", posted.RecipientCount].Value;
        return RedirectToPage(new { id });
    }

    private async Task<IActionResult?> LoadAsync(int id, CancellationToken ct)
    {
        if (await db.Cohorts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) is not { } cohort)
            return NotFound();
        Cohort = cohort;
        Permissions = await access.ForAsync(User, id, ct);
        if (!Permissions.IsStaff)
            return Forbid();
        Past = await db.Announcements.AsNoTracking()
            .Where(a => a.CohortId == id)
            .OrderByDescending(a => a.CreatedAt)
            .Select(a => new Posted(a.Subject, a.Body, a.Audience, a.Country, a.RecipientCount, a.CreatedAt,
                db.Users.Where(u => u.Id == a.AuthorId).Select(u => u.FullName).First(),
                db.OutgoingMail.Count(m => m.Key.StartsWith("announcement:" + a.Id + ":") && m.Status == MailStatus.Sent)))
            .Take(50)
            .ToListAsync(ct);
        Countries = await db.Enrolments.AsNoTracking()
            .Where(e => e.CohortId == id && e.Status == EnrolmentStatus.Active)
            .Join(db.Users, e => e.UserId, u => u.Id, (e, u) => u.Country)
            .Where(c => c != null).Distinct().OrderBy(c => c).Select(c => c!)
            .ToListAsync(ct);
        return null;
    }

    public sealed record Posted(string Subject, string Body, AnnouncementAudience Audience, string? Country, int Recipients, DateTime CreatedAt, string Author, int Mailed);

    public sealed class Draft
    {
        [Required(ErrorMessage = "Write a subject.")]
        [StringLength(AnnouncementService.SubjectMaxLength, ErrorMessage = "The subject can be at most {1} characters long.")]
        [Display(Name = "Subject")]
        public string? Subject { get; set; }

        [Required(ErrorMessage = "Write the message.")]
        [StringLength(AnnouncementService.BodyMaxLength, ErrorMessage = "The message can be at most {1} characters long.")]
        [Display(Name = "Message")]
        public string? Body { get; set; }

        [Display(Name = "Audience")]
        public AnnouncementAudience Audience { get; set; }

        [Display(Name = "Country")]
        public string? Country { get; set; }
    }
}
