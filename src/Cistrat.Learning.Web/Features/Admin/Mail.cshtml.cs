using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Admin;

/// <summary>All mail of the platform for admins, account mail included (it belongs to no cohort).</summary>
[Authorize(Policy = Policies.Admin)]
public class MailModel(LearningDbContext db, MailKick kick, TimeProvider time, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public IReadOnlyDictionary<MailStatus, int> Counts { get; private set; } = new Dictionary<MailStatus, int>();

    public IReadOnlyList<OutgoingMail> Problems { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Counts = await db.OutgoingMail.AsNoTracking().GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        Problems = await db.OutgoingMail.AsNoTracking()
            .Where(m => m.Status == MailStatus.Failed || (m.Status == MailStatus.Pending && m.LastError != null))
            .OrderByDescending(m => m.Id).Take(Cohorts.MailModel.ListLimit)
            .ToListAsync(ct);
    }

    public async Task<IActionResult> OnPostRetryAsync(long? mailId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var count = await FailedMail.ResendAsync(db, db.OutgoingMail.Where(m => mailId == null || m.Id == mailId), now, ct);
        if (count > 0)
            kick.Now();
        TempData["Message"] = localizer["{0} messages will be sent again.", count].Value;
        return RedirectToPage();
    }
}
