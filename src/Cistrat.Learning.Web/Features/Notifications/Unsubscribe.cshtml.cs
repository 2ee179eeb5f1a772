using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>
/// The link in every non-essential mail. Opening it asks for a click (link checkers in mail systems open links, and
/// must not unsubscribe anyone); a POST unsubscribes at once, without signing in: the form's button, or a mail client's
/// RFC 8058 one-click POST (body "List-Unsubscribe=One-Click", no antiforgery token: the secret in the URL is the proof).
/// </summary>
[IgnoreAntiforgeryToken]
public class UnsubscribeModel(LearningDbContext db, UnsubscribeTokens tokens, TimeProvider time) : PageModel
{
    public string Kind { get; private set; } = "";

    public bool Done { get; private set; }

    public bool Resubscribed { get; private set; }

    public IActionResult OnGet(string token)
    {
        if (Read(token) is not { } target)
            return NotFound();
        Kind = target.Kind;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        if (Read(token) is not { } target)
            return NotFound();
        await SetAsync(target.UserId, target.Kind, enabled: false, ct);
        Kind = target.Kind;
        Done = true;
        return Page();
    }

    public async Task<IActionResult> OnPostResubscribeAsync(string token, CancellationToken ct)
    {
        if (Read(token) is not { } target)
            return NotFound();
        await SetAsync(target.UserId, target.Kind, enabled: true, ct);
        Kind = target.Kind;
        Resubscribed = true;
        return Page();
    }

    private (string UserId, string Kind)? Read(string token) =>
        tokens.Read(token) is { } t && MailKinds.Find(t.Kind) is { Essential: false } ? t : null;

    private async Task SetAsync(string userId, string kind, bool enabled, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
            return;
        var row = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == userId && p.Kind == kind, ct);
        if (row is null)
        {
            row = new NotificationPreference { UserId = userId, Kind = kind };
            db.NotificationPreferences.Add(row);
        }

        row.Enabled = enabled;
        row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }
}
