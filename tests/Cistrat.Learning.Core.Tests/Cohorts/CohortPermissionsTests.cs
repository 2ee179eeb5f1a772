using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;

namespace Cistrat.Learning.Core.Tests.Cohorts;

public sealed class CohortPermissionsTests
{
    private static readonly CohortStaff[] Staff =
    [
        new() { UserId = "coord", Role = StaffRole.Coordinator },
        new() { UserId = "lect", Role = StaffRole.Lecturer },
    ];

    private static Func<string, bool> InRoles(params string[] roles) => roles.Contains;

    [Fact]
    public void Coordinator_ManagesOwnCohort()
    {
        var p = CohortPermissions.For("coord", InRoles(Roles.Coordinator), Staff);
        Assert.True(p.CanManage);
        Assert.True(p.CanViewRoster);
    }

    [Fact]
    public void Coordinator_HasNoRightsOnAnotherCohort()
    {
        Assert.Equal(CohortPermissions.None with { }, CohortPermissions.For("someone-else", InRoles(Roles.Coordinator), Staff) with { });
    }

    [Fact]
    public void Lecturer_SeesRosterOfOwnCohort_ButDoesNotManageIt()
    {
        var p = CohortPermissions.For("lect", InRoles(Roles.Lecturer), Staff);
        Assert.False(p.CanManage);
        Assert.True(p.CanViewRoster);
    }

    [Fact]
    public void StaffEntry_WithoutTheMatchingRole_GivesNothing()
    {
        // A coordinator whose role was taken away keeps no power through an old staff row.
        var p = CohortPermissions.For("coord", InRoles(Roles.Trainee), Staff);
        Assert.False(p.CanManage);
        Assert.False(p.CanViewRoster);
    }

    [Fact]
    public void Admin_ManagesEveryCohort()
    {
        Assert.True(CohortPermissions.For("admin", InRoles(Roles.Admin), []).CanManage);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Anonymous_HasNoRights(string? userId)
    {
        Assert.False(CohortPermissions.For(userId, InRoles(Roles.Admin), Staff).CanViewRoster);
    }
}
