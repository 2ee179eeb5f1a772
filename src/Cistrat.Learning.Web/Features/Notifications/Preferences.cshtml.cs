using System.Security.Claims;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>Each person's choice, per kind of mail: on or off, and for some kinds the weekly digest instead.</summary>
[Authorize]
public class PreferencesModel(LearningDbContext db, TimeProvider time, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public IReadOnlyList<MailKind> Essential { get; } = MailKinds.All.Where(k => k.Essential).ToList();

    [BindProperty]
    public List<Choice> Choices { get; set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Choices = await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var known = MailKinds.Optional.ToDictionary(k => k.Name);
        if (!Choices.Select(c => c.Kind).Order(StringComparer.Ordinal).SequenceEqual(known.Keys.Order(StringComparer.Ordinal)))
        {
            ModelState.AddModelError(string.Empty, localizer["The form did not list the kinds of mail this site sends. Please try again."].Value);
            Choices = await LoadAsync(ct);
            return Page();
        }

        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var stored = await db.NotificationPreferences.Where(p => p.UserId == userId).ToDictionaryAsync(p => p.Kind, ct);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var choice in Choices)
        {
            if (!stored.TryGetValue(choice.Kind, out var row))
            {
                row = new NotificationPreference { UserId = userId, Kind = choice.Kind };
                db.NotificationPreferences.Add(row);
                stored[choice.Kind] = row;
            }

            row.Enabled = choice.Enabled;
            row.InDigest = choice.InDigest && known[choice.Kind].MayGoToDigest;
            row.UpdatedAt = now;
        }

        // Mail collected "into the digest" would otherwise go nowhere: asking for it turns the digest on.
        var digestOn = false;
        if (Choices.Any(c => c.Enabled && c.InDigest && known[c.Kind].MayGoToDigest) && Choices.Single(c => c.Kind == MailKinds.Digest) is { Enabled: false } digest)
        {
            digest.Enabled = true;
            stored[MailKinds.Digest].Enabled = true;
            digestOn = true;
        }

        await db.SaveChangesAsync(ct);
        TempData["Message"] = digestOn
            ? localizer["Your mail preferences are saved. The weekly digest is now on, since you asked for mail to be collected into it."].Value
            : localizer["Your mail preferences are saved."].Value;
        return RedirectToPage();
    }

    private async Task<List<Choice>> LoadAsync(CancellationToken ct)
    {
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var stored = await db.NotificationPreferences.AsNoTracking().Where(p => p.UserId == userId).ToDictionaryAsync(p => p.Kind, ct);
        return MailKinds.Optional.Select(k =>
        {
            var delivery = PreferenceLookup.Decide(stored.GetValueOrDefault(k.Name), k.Name);
            return new Choice { Kind = k.Name, Enabled = delivery != Delivery.None, InDigest = delivery == Delivery.Digest, MayGoToDigest = k.MayGoToDigest };
        }).ToList();
    }

    public sealed class Choice
    {
        public string Kind { get; set; } = "";
        public bool Enabled { get; set; }
        public bool InDigest { get; set; }
        public bool MayGoToDigest { get; set; }
    }
}
