using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Tests.Content;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Tests.Cohorts;

public sealed class EnrolmentServiceTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    // Noon UTC on 30 June is already 1 July in Dili (UTC+9): the time zone decides whether a cohort is open.
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 6, 30, 20, 0, 0, TimeSpan.Zero));

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        await database.ResetAsync(ct);
        db.Courses.Add(new Course { Slug = "c", Title = "C", Summary = "S", Language = "en", Licence = "CC-BY-4.0" });
        foreach (var name in new[] { "ana", "ben", "chen" })
            db.Users.Add(new ApplicationUser { Id = name, UserName = name, Email = $"{name}@example.org", NormalizedEmail = $"{name.ToUpperInvariant()}@EXAMPLE.ORG", FullName = name });
        await db.SaveChangesAsync(ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<int> CohortAsync(EnrolmentPolicy policy = EnrolmentPolicy.Open, int? capacity = null, string? code = null, string zone = "Etc/UTC", DateOnly? ends = null)
    {
        await using var db = database.CreateContext();
        var cohort = new Cohort
        {
            CourseId = await db.Courses.Select(c => c.Id).SingleAsync(), Name = "Cohort", StartsOn = new DateOnly(2026, 6, 1),
            EndsOn = ends ?? new DateOnly(2026, 7, 31), TimeZoneId = zone, Policy = policy, Capacity = capacity, InvitationCode = code,
        };
        db.Cohorts.Add(cohort);
        await db.SaveChangesAsync();
        return cohort.Id;
    }

    private async Task<T> WithServiceAsync<T>(Func<EnrolmentService, LearningDbContext, Task<T>> act)
    {
        await using var db = database.CreateContext();
        return await act(new EnrolmentService(db, _clock), db);
    }

    private Task<EnrolmentOutcome> RequestAsync(string user, int cohort, string? code = null) =>
        WithServiceAsync((s, _) => s.RequestAsync(user, cohort, code));

    [Fact]
    public async Task Request_EnrolsAtOnce_InAnOpenCohort_AndOnlyOnce()
    {
        var cohort = await CohortAsync();
        Assert.Equal(EnrolmentOutcome.Enrolled, await RequestAsync("ana", cohort));
        Assert.Equal(EnrolmentOutcome.AlreadyEnrolled, await RequestAsync("ana", cohort));
        Assert.Equal(1, await WithServiceAsync((_, db) => db.Enrolments.CountAsync()));
    }

    [Fact]
    public async Task Request_WaitsForApproval_WhenThePolicySaysSo()
    {
        var cohort = await CohortAsync(EnrolmentPolicy.Approval);
        Assert.Equal(EnrolmentOutcome.AwaitingApproval, await RequestAsync("ana", cohort));
        Assert.Equal(EnrolmentOutcome.AlreadyPending, await RequestAsync("ana", cohort));
        var id = await WithServiceAsync((_, db) => db.Enrolments.Select(e => e.Id).SingleAsync());
        Assert.True(await WithServiceAsync((s, _) => s.DecideAsync(id, cohort, approve: false, "coord")));
        Assert.False(await WithServiceAsync((s, _) => s.DecideAsync(id, cohort, approve: true, "coord")));
        Assert.Equal(EnrolmentOutcome.Rejected, await RequestAsync("ana", cohort));
    }

    [Fact]
    public async Task Request_NeedsTheInvitationCode_IgnoringCaseAndSpaces()
    {
        var cohort = await CohortAsync(EnrolmentPolicy.InvitationCode, code: "Dili-2026");
        Assert.Equal(EnrolmentOutcome.WrongInvitationCode, await RequestAsync("ana", cohort));
        Assert.Equal(EnrolmentOutcome.WrongInvitationCode, await RequestAsync("ana", cohort, "dili-2025"));
        Assert.Equal(EnrolmentOutcome.Enrolled, await RequestAsync("ana", cohort, "  DILI-2026 "));
    }

    [Fact]
    public async Task Request_IsRefused_WhenFull_CountingPendingRequests()
    {
        var cohort = await CohortAsync(EnrolmentPolicy.Approval, capacity: 1);
        Assert.Equal(EnrolmentOutcome.AwaitingApproval, await RequestAsync("ana", cohort));
        Assert.Equal(EnrolmentOutcome.CohortFull, await RequestAsync("ben", cohort));
    }

    [Fact]
    public async Task Request_IsRefused_AfterTheLastDay_InTheCohortsOwnTimeZone()
    {
        // 20:00 UTC on 30 June: still 30 June in UTC, already 1 July in Dili.
        var utc = await CohortAsync(zone: "Etc/UTC", ends: new DateOnly(2026, 6, 30));
        var dili = await CohortAsync(zone: "Asia/Dili", ends: new DateOnly(2026, 6, 30));
        Assert.Equal(EnrolmentOutcome.Enrolled, await RequestAsync("ana", utc));
        Assert.Equal(EnrolmentOutcome.CohortClosed, await RequestAsync("ana", dili));
    }

    [Fact]
    public async Task Withdraw_ThenRequestAgain_ReusesTheSameEnrolment()
    {
        var cohort = await CohortAsync();
        await RequestAsync("ana", cohort);
        Assert.True(await WithServiceAsync((s, _) => s.WithdrawAsync("ana", cohort)));
        Assert.False(await WithServiceAsync((s, _) => s.WithdrawAsync("ana", cohort)));
        Assert.Equal(EnrolmentOutcome.Enrolled, await RequestAsync("ana", cohort));
        Assert.Equal(EnrolmentStatus.Active, await WithServiceAsync((_, db) => db.Enrolments.Select(e => e.Status).SingleAsync()));
    }

    [Fact]
    public async Task EnrolByEmail_EnrolsKnownPeople_InvitesOthers_AndRespectsCapacity()
    {
        var cohort = await CohortAsync(capacity: 2);
        var result = await WithServiceAsync((s, _) => s.EnrolByEmailAsync(cohort,
            ["ANA@example.org", "ben@example.org", "chen@example.org", "new@example.org", "new@example.org", "bad address", "x@y"], "coord"));
        Assert.Equal(["ANA@example.org", "ben@example.org"], result.Enrolled);
        Assert.Equal(["chen@example.org"], result.NoSeat);
        Assert.Equal(["new@example.org"], result.Invited);
        Assert.Equal(["bad address", "x@y"], result.Invalid);

        var again = await WithServiceAsync((s, _) => s.EnrolByEmailAsync(cohort, ["ana@example.org", "new@example.org"], "coord"));
        Assert.Equal(["ana@example.org"], again.AlreadyEnrolled);
        Assert.Equal(["new@example.org"], again.AlreadyInvited);
    }

    [Fact]
    public async Task RedeemInvitations_EnrolsTheNewAccount_Once()
    {
        var cohort = await CohortAsync();
        await WithServiceAsync((s, _) => s.EnrolByEmailAsync(cohort, ["newcomer@example.org"], "coord"));
        await using (var db = database.CreateContext())
        {
            db.Users.Add(new ApplicationUser { Id = "newcomer", UserName = "newcomer", NormalizedEmail = "NEWCOMER@EXAMPLE.ORG", FullName = "N" });
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await WithServiceAsync((s, _) => s.RedeemInvitationsAsync("newcomer", "NEWCOMER@EXAMPLE.ORG")));
        Assert.Equal(0, await WithServiceAsync((s, _) => s.RedeemInvitationsAsync("newcomer", "NEWCOMER@EXAMPLE.ORG")));
        Assert.Equal(EnrolmentStatus.Active, await WithServiceAsync((_, db) => db.Enrolments.Where(e => e.UserId == "newcomer").Select(e => e.Status).SingleAsync()));
    }
}
