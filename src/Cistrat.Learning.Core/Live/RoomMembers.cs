using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;

namespace Cistrat.Learning.Core.Live;

/// <summary>
/// A session's cohort as the room's role checks need it: its staff with their roles, and its active trainees. Read
/// once per room and kept for a while (see the web app's RoomAccess), so that thousands of trainees joining or voting
/// do not each ask the database who they are.
/// </summary>
public sealed class RoomMembers(IReadOnlyDictionary<string, IReadOnlyList<StaffRole>> staff, IReadOnlySet<string> trainees)
{
    /// <summary>The person's role by this list and their global roles (<paramref name="isInRole"/>, from their sign-in).</summary>
    public RoomRole RoleOf(string userId, Func<string, bool> isInRole)
    {
        ArgumentNullException.ThrowIfNull(isInRole);
        if (isInRole(Roles.Admin))
            return RoomRole.Admin;
        return Decide(staff.GetValueOrDefault(userId) ?? [], trainees.Contains(userId), isInRole);
    }

    /// <summary>The rule, for a person who is not an administrator: cohort staff by their global role, else an active trainee.</summary>
    internal static RoomRole Decide(IReadOnlyCollection<StaffRole> staff, bool enrolled, Func<string, bool> isInRole)
    {
        if (staff.Contains(StaffRole.Coordinator) && isInRole(Roles.Coordinator))
            return RoomRole.Coordinator;
        if (staff.Count > 0 && (isInRole(Roles.Lecturer) || isInRole(Roles.Coordinator)))
            return RoomRole.Lecturer;
        return enrolled ? RoomRole.Trainee : RoomRole.None;
    }
}
