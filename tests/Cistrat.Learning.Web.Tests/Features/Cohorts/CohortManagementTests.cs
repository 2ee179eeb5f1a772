using System.Net;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Features.Cohorts;

public sealed class CohortManagementTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static bool IsRefused(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound
        || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/account/access-denied", StringComparison.Ordinal));

    [Fact]
    public async Task Coordinator_CreatesCohort_AndEnrolsKnownAndUnknownAddresses()
    {
        using var known = new TestBrowser(app);
        await known.RegisterAsync("known@example.org");
        using var coordinator = new TestBrowser(app);
        await coordinator.SignUpAsAsync("coord@example.org", Roles.Coordinator);
        var courseId = await app.WithDbAsync(db => db.Courses.Select(c => c.Id).SingleAsync());

        var created = await coordinator.PostFormAsync("/cohorts/new", new Dictionary<string, string>
        {
            ["Input.CourseId"] = courseId.ToString(),
            ["Input.Name"] = "12th International Training Workshop: Testing",
            ["Input.StartsOn"] = "2026-12-01",
            ["Input.EndsOn"] = "2027-01-31",
            ["Input.TimeZoneId"] = "Asia/Dili",
            ["Input.Policy"] = "Open",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var rosterUrl = created.Headers.Location!.OriginalString;
        var cohort = await app.WithDbAsync(db => db.Cohorts.Include(c => c.Staff).SingleAsync());
        Assert.Equal("Asia/Dili", cohort.TimeZoneId);
        Assert.Contains(cohort.Staff, s => s.Role == StaffRole.Coordinator);

        var enrol = await coordinator.PostFormAsync(rosterUrl, new Dictionary<string, string>
        {
            ["Emails"] = "known@example.org\nnew.person@example.org, not-an-address",
        }, rosterUrl + "?handler=Enrol");
        var body = await enrol.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, enrol.StatusCode);
        Assert.Contains("not-an-address", body, StringComparison.Ordinal);
        Assert.Equal(EnrolmentStatus.Active, await app.WithDbAsync(db => db.Enrolments.Select(e => e.Status).SingleAsync()));
        Assert.Equal("NEW.PERSON@EXAMPLE.ORG", await app.WithDbAsync(db => db.Invitations.Select(i => i.NormalizedEmail).SingleAsync()));

        // The invited person registers later and finds the cohort waiting.
        using var invited = new TestBrowser(app);
        await invited.RegisterAsync("New.Person@example.org");
        Assert.Equal(2, await app.WithDbAsync(db => db.Enrolments.CountAsync(e => e.Status == EnrolmentStatus.Active)));
        var roster = await coordinator.GetPageAsync(rosterUrl);
        Assert.Contains("new.person@example.org", roster.Body!.TextContent, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Coordinator_ApprovesAndDeclinesRequests()
    {
        using var coordinator = new TestBrowser(app);
        var coordId = await coordinator.SignUpAsAsync("approver@example.org", Roles.Coordinator);
        var cohortId = await TestCohorts.CreateAsync(app, EnrolmentPolicy.Approval, staff: [(coordId, StaffRole.Coordinator)]);
        var course = "/courses/" + TestContent.CourseSlug;
        foreach (var email in new[] { "yes@example.org", "no@example.org" })
        {
            using var trainee = new TestBrowser(app);
            await trainee.RegisterAsync(email);
            await trainee.PostFormAsync(course, new Dictionary<string, string> { ["cohortId"] = cohortId.ToString() }, course + "?handler=Enrol");
        }

        Assert.Equal(2, await app.WithDbAsync(db => db.Enrolments.CountAsync(e => e.Status == EnrolmentStatus.Pending)));
        var ids = await app.WithDbAsync(db => db.Enrolments.Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { e.Id, u.Email }).ToListAsync());
        var url = $"/cohorts/{cohortId}";
        await coordinator.PostFormAsync(url, new Dictionary<string, string> { ["enrolmentId"] = ids.Single(i => i.Email == "yes@example.org").Id.ToString(), ["approve"] = "true" }, url + "?handler=Decide");
        await coordinator.PostFormAsync(url, new Dictionary<string, string> { ["enrolmentId"] = ids.Single(i => i.Email == "no@example.org").Id.ToString(), ["approve"] = "false" }, url + "?handler=Decide");

        var statuses = await app.WithDbAsync(db => db.Enrolments.Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { e.Status, u.Email }).ToListAsync());
        Assert.Equal(EnrolmentStatus.Active, statuses.Single(s => s.Email == "yes@example.org").Status);
        Assert.Equal(EnrolmentStatus.Rejected, statuses.Single(s => s.Email == "no@example.org").Status);
    }

    [Fact]
    public async Task Trainee_CannotSeeRoster_CreateOrEditCohorts()
    {
        var cohortId = await TestCohorts.CreateAsync(app);
        using var trainee = new TestBrowser(app);
        await trainee.RegisterAsync("curious@example.org");

        Assert.True(IsRefused(await trainee.GetAsync($"/cohorts/{cohortId}")));
        Assert.True(IsRefused(await trainee.GetAsync($"/cohorts/{cohortId}/edit")));
        Assert.True(IsRefused(await trainee.GetAsync("/cohorts/new")));
        Assert.True(IsRefused(await trainee.GetAsync("/admin/users")));
    }

    [Fact]
    public async Task Coordinator_CannotManageAnotherCoordinatorsCohort()
    {
        using var owner = new TestBrowser(app);
        var ownerId = await owner.SignUpAsAsync("owner@example.org", Roles.Coordinator);
        var cohortId = await TestCohorts.CreateAsync(app, staff: [(ownerId, StaffRole.Coordinator)]);
        using var other = new TestBrowser(app);
        await other.SignUpAsAsync("other@example.org", Roles.Coordinator);

        Assert.True(IsRefused(await other.GetAsync($"/cohorts/{cohortId}")));
        Assert.True(IsRefused(await other.GetAsync($"/cohorts/{cohortId}/edit")));
        // A forged post with the other cohort's id changes nothing.
        var forged = await other.PostFormAsync("/cohorts", new Dictionary<string, string> { ["Emails"] = "x@example.org" }, $"/cohorts/{cohortId}?handler=Enrol");
        Assert.True(IsRefused(forged));
        Assert.Equal(0, await app.WithDbAsync(db => db.Invitations.CountAsync()));
        Assert.DoesNotContain((await other.GetPageAsync("/cohorts")).QuerySelectorAll("a"), a => a.GetAttribute("href") == $"/cohorts/{cohortId}");
    }

    [Fact]
    public async Task Lecturer_SeesRosterOfOwnCohort_ButCannotEnrolOrEdit()
    {
        using var lecturer = new TestBrowser(app);
        var lecturerId = await lecturer.SignUpAsAsync("lecturer@example.org", Roles.Lecturer);
        var own = await TestCohorts.CreateAsync(app, staff: [(lecturerId, StaffRole.Lecturer)]);
        var foreign = await TestCohorts.CreateAsync(app);

        var roster = await lecturer.GetPageAsync($"/cohorts/{own}");
        Assert.Null(roster.QuerySelector("textarea[name=Emails]"));
        Assert.True(IsRefused(await lecturer.GetAsync($"/cohorts/{foreign}")));
        Assert.True(IsRefused(await lecturer.GetAsync($"/cohorts/{own}/edit")));
        var forged = await lecturer.PostFormAsync($"/cohorts/{own}", new Dictionary<string, string> { ["Emails"] = "x@example.org" }, $"/cohorts/{own}?handler=Enrol");
        Assert.True(IsRefused(forged));
    }

    [Fact]
    public async Task CreateCohort_WithBadInput_ShowsErrors_AndSavesNothing()
    {
        using var coordinator = new TestBrowser(app);
        await coordinator.SignUpAsAsync("careful@example.org", Roles.Coordinator);
        var response = await coordinator.PostFormAsync("/cohorts/new", new Dictionary<string, string>
        {
            ["Input.CourseId"] = "424242",
            ["Input.Name"] = "",
            ["Input.StartsOn"] = "2026-12-10",
            ["Input.EndsOn"] = "2026-12-01",
            ["Input.TimeZoneId"] = "Mars/Olympus_Mons",
            ["Input.Policy"] = "InvitationCode",
            ["Input.Lecturers"] = "nobody@example.org",
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Give the cohort a name.", body, StringComparison.Ordinal);
        Assert.Contains("end date must not be before the start date", body, StringComparison.Ordinal);
        Assert.Contains("Choose a time zone from the list.", body, StringComparison.Ordinal);
        Assert.Contains("Set the invitation code", body, StringComparison.Ordinal);
        Assert.Contains("No account has the address nobody@example.org.", body, StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Cohorts.CountAsync()));
    }
}
