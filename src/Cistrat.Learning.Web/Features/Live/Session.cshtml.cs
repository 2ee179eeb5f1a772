using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>One session: when (in the viewer's and the organiser's zone), where, who, and the way in.</summary>
[Authorize]
public class SessionModel(LearningDbContext db, RoomAccess access, TimeProvider time) : PageModel
{
    public LiveSession Session { get; private set; } = null!;
    public IReadOnlyList<string> Lecturers { get; private set; } = [];
    public bool IsStaff { get; private set; }
    public LiveSessionPhase Phase { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        var role = await access.RoleAsync(id, User, ct);
        if (role == RoomRole.None)
            return NotFound();
        Session = await db.LiveSessions.AsNoTracking().Include(s => s.Cohort).Include(s => s.Lecturers).SingleAsync(s => s.Id == id, ct);
        var ids = Session.Lecturers.Select(l => l.UserId).ToList();
        Lecturers = await db.Users.Where(u => ids.Contains(u.Id)).OrderBy(u => u.FullName).Select(u => u.FullName).ToListAsync(ct);
        IsStaff = role.IsStaff();
        Phase = Session.PhaseAt(time.GetUtcNow().UtcDateTime);
        return Page();
    }
}
