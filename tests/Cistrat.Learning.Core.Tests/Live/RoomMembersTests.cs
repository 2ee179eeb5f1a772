using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;

namespace Cistrat.Learning.Core.Tests.Live;

public sealed class RoomMembersTests
{
    private static readonly RoomMembers Cohort = new(
        new Dictionary<string, IReadOnlyList<StaffRole>>(StringComparer.Ordinal)
        {
            ["coordinator"] = [StaffRole.Coordinator],
            ["lecturer"] = [StaffRole.Lecturer],
            ["both"] = [StaffRole.Lecturer, StaffRole.Coordinator],
            ["listed-trainee"] = [StaffRole.Lecturer],
        },
        new HashSet<string>(StringComparer.Ordinal) { "trainee", "listed-trainee" });

    [Theory]
    [InlineData("coordinator", Roles.Coordinator, RoomRole.Coordinator)]
    [InlineData("both", Roles.Coordinator, RoomRole.Coordinator)]
    [InlineData("both", Roles.Lecturer, RoomRole.Lecturer)]
    [InlineData("coordinator", Roles.Lecturer, RoomRole.Lecturer)]
    [InlineData("lecturer", Roles.Lecturer, RoomRole.Lecturer)]
    [InlineData("lecturer", Roles.Coordinator, RoomRole.Lecturer)]
    [InlineData("trainee", Roles.Trainee, RoomRole.Trainee)]
    // On the staff list but no longer a lecturer anywhere, and enrolled: a trainee here.
    [InlineData("listed-trainee", Roles.Trainee, RoomRole.Trainee)]
    // On the staff list without a staff role and not enrolled: not in the room.
    [InlineData("lecturer", Roles.Trainee, RoomRole.None)]
    [InlineData("stranger", Roles.Trainee, RoomRole.None)]
    [InlineData("stranger", Roles.Admin, RoomRole.Admin)]
    [InlineData("trainee", Roles.Admin, RoomRole.Admin)]
    public void RoleOf_FollowsTheCohortAndTheGlobalRole(string userId, string globalRole, RoomRole expected)
    {
        Assert.Equal(expected, Cohort.RoleOf(userId, role => role == globalRole));
    }

    [Fact]
    public void RoleOf_ComparesIdsExactly()
    {
        Assert.Equal(RoomRole.None, Cohort.RoleOf("TRAINEE", role => role == Roles.Trainee));
    }
}
