using System.Security.Claims;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>My sessions across cohorts, and my secret calendar feed.</summary>
[Authorize]
public class IndexModel(LiveSessionService sessions, TimeProvider time) : PageModel
{
    public IReadOnlyList<LiveSession> Upcoming { get; private set; } = [];
    public IReadOnlyList<LiveSession> Past { get; private set; } = [];
    public bool HasFeed { get; private set; }

    /// <summary>Shown once, right after it was made: only its hash is kept.</summary>
    public string? NewFeedUrl { get; private set; }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var all = await sessions.SessionsOfAsync(UserId, ct);
        Upcoming = [.. all.Where(s => s.EndsAt > now)];
        Past = [.. all.Where(s => s.EndsAt <= now).OrderByDescending(s => s.StartsAt)];
        HasFeed = await sessions.HasFeedAsync(UserId, ct);
        if (TempData["FeedToken"] is string token)
            NewFeedUrl = $"{Request.Scheme}://{Request.Host}/calendar/{token}.ics";
    }

    public async Task<IActionResult> OnPostResetFeedAsync(CancellationToken ct)
    {
        TempData["FeedToken"] = await sessions.ResetFeedAsync(UserId, ct);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRevokeFeedAsync(CancellationToken ct)
    {
        await sessions.RevokeFeedAsync(UserId, ct);
        return RedirectToPage();
    }
}
