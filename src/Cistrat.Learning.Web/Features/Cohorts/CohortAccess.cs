using System.Security.Claims;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Cohorts;

/// <summary>Loads one cohort's staff and works out what the signed-in person may do with it.</summary>
public sealed class CohortAccess(LearningDbContext db)
{
    public async Task<CohortPermissions> ForAsync(ClaimsPrincipal user, int cohortId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var staff = await db.CohortStaff.AsNoTracking().Where(s => s.CohortId == cohortId).ToListAsync(ct);
        return CohortPermissions.For(user.FindFirstValue(ClaimTypes.NameIdentifier), user.IsInRole, staff);
    }
}
