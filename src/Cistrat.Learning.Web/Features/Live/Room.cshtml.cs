using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>The live room page; the room itself runs over the hub, which checks every call again.</summary>
[Authorize]
public class RoomModel(LearningDbContext db, RoomAccess access, TimeProvider time) : PageModel
{
    public int SessionId { get; private set; }
    public string Title { get; private set; } = "";
    public string CohortName { get; private set; } = "";
    public DateTime StartsAt { get; private set; }
    public DateTime EndsAt { get; private set; }
    public string OrganiserTimeZoneId { get; private set; } = "";
    public string? AvLink { get; private set; }
    public bool IsStaff { get; private set; }
    public bool IsArchive { get; private set; }
    public bool IsCancelled { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        var role = await access.RoleAsync(id, User, ct);
        if (role == RoomRole.None)
            return NotFound();
        var session = await db.LiveSessions.AsNoTracking().Include(s => s.Cohort).SingleAsync(s => s.Id == id, ct);
        SessionId = id;
        Title = session.Title;
        CohortName = session.Cohort!.Name;
        StartsAt = session.StartsAt;
        EndsAt = session.EndsAt;
        OrganiserTimeZoneId = session.OrganiserTimeZoneId;
        AvLink = session.AvLink;
        IsStaff = role.IsStaff();
        IsCancelled = session.Cancelled;
        IsArchive = session.PhaseAt(time.GetUtcNow().UtcDateTime) == LiveSessionPhase.Ended;
        return Page();
    }
}
