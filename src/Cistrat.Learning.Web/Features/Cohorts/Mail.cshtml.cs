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
/// What became of a cohort's mail: counts by state, and every message that failed or keeps failing, with the mail
/// server's reason, so that a coordinator can correct an address and send it again.
/// </summary>
[Authorize(Policy = Policies.Coordinator)]
public class MailModel(LearningDbContext db, CohortAccess access, MailKick kick, TimeProvider time, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public const int ListLimit = 200;

    public Cohort Cohort { get; private set; } = null!;

    public IReadOnlyDictionary<MailStatus, int> Counts { get; private set; } = new Dictionary<MailStatus, int>();

    public IReadOnlyList<OutgoingMail> Problems { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct) => await LoadAsync(id, ct) ?? Page();

    /// <summary>Sends failed mail of the cohort again (one, or all): back to pending with fresh attempts, same key.</summary>
    public async Task<IActionResult> OnPostRetryAsync(int id, long? mailId, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        var now = time.GetUtcNow().UtcDateTime;
        var count = await FailedMail.ResendAsync(db, db.OutgoingMail.Where(m => m.CohortId == id && (mailId == null || m.Id == mailId)), now, ct);
        if (count > 0)
            kick.Now();
        TempData["Message"] = localizer["{0} messages will be sent again.", count].Value;
        return RedirectToPage(new { id });
    }

    private async Task<IActionResult?> LoadAsync(int id, CancellationToken ct)
    {
        if (await db.Cohorts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) is not { } cohort)
            return NotFound();
        Cohort = cohort;
        if (!(await access.ForAsync(User, id, ct)).CanManage)
            return Forbid();
        Counts = await db.OutgoingMail.AsNoTracking().Where(m => m.CohortId == id)
            .GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        Problems = await db.OutgoingMail.AsNoTracking()
            .Where(m => m.CohortId == id && (m.Status == MailStatus.Failed || (m.Status == MailStatus.Pending && m.LastError != null)))
            .OrderByDescending(m => m.Id).Take(ListLimit)
            .ToListAsync(ct);
        return null;
    }
}
