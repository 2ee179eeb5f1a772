using Cistrat.Learning.Core.Identity;

namespace Cistrat.Learning.Core.Cohorts;

/// <summary>
/// What one person may do with one cohort. Roles alone are never enough: a coordinator manages only the
/// cohorts they coordinate, a lecturer sees only the rosters of cohorts they teach; admins manage all.
/// </summary>
public sealed record CohortPermissions(bool CanManage, bool CanViewRoster, bool IsStaff)
{
    public static readonly CohortPermissions None = new(false, false, false);

    public static CohortPermissions For(string? userId, Func<string, bool> isInRole, IEnumerable<CohortStaff> staff)
    {
        ArgumentNullException.ThrowIfNull(isInRole);
        ArgumentNullException.ThrowIfNull(staff);
        if (string.IsNullOrEmpty(userId))
            return None;
        if (isInRole(Roles.Admin))
            return new(true, true, true);

        var mine = staff.Where(s => s.UserId == userId).Select(s => s.Role).ToList();
        var coordinates = mine.Contains(StaffRole.Coordinator) && isInRole(Roles.Coordinator);
        var lectures = mine.Contains(StaffRole.Lecturer) && isInRole(Roles.Lecturer);
        return new(coordinates, coordinates || lectures, coordinates || lectures);
    }
}
