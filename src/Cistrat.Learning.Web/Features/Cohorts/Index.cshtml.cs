using System.Security.Claims;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Cohorts;

/// <summary>The cohorts a member of staff works on: all of them for admins, their own for everyone else.</summary>
[Authorize(Policy = Policies.Staff)]
public class IndexModel(LearningDbContext db) : PageModel
{
    public IReadOnlyList<CohortRow> Cohorts { get; private set; } = [];

    public bool CanCreate { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var isAdmin = User.IsInRole(Roles.Admin);
        CanCreate = isAdmin || User.IsInRole(Roles.Coordinator);
        Cohorts = await db.Cohorts.AsNoTracking()
            .Where(c => isAdmin || c.Staff.Any(s => s.UserId == userId))
            .OrderByDescending(c => c.StartsOn)
            .Select(c => new CohortRow(
                c.Id, c.Name, c.Course!.Title, c.StartsOn, c.EndsOn, c.Policy,
                c.Enrolments.Count(e => e.Status == EnrolmentStatus.Active),
                c.Enrolments.Count(e => e.Status == EnrolmentStatus.Pending),
                c.Staff.Where(s => s.UserId == userId).Select(s => s.Role).ToList()))
            .ToListAsync(ct);
    }

    public sealed record CohortRow(int Id, string Name, string CourseTitle, DateOnly StartsOn, DateOnly EndsOn, EnrolmentPolicy Policy, int Active, int Pending, List<StaffRole> MyRoles);
}
