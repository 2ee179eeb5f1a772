using System.Net;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Features.Learning;

public sealed class LearningJourneyTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private const string Course = "/courses/" + TestContent.CourseSlug;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string LessonUrl(int index) => $"{Course}/lessons/{TestContent.LessonSlugs[index]}";

    [Fact]
    public async Task Trainee_Enrols_ReadsLessons_MarksDone_AndSeesProgressOnDashboard()
    {
        var cohortId = await TestCohorts.CreateAsync(app);
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("amina@example.org");

        var enrol = await browser.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = cohortId.ToString() }, Course + "?handler=Enrol");
        Assert.Equal(HttpStatusCode.Redirect, enrol.StatusCode);

        var lesson = await browser.GetPageAsync(LessonUrl(0));
        Assert.Contains("unique-marker-first-steps", lesson.Body!.TextContent, StringComparison.Ordinal);
        var done = await browser.PostFormAsync(LessonUrl(0), new Dictionary<string, string> { ["done"] = "true" }, LessonUrl(0) + "?handler=Done");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.EndsWith(LessonUrl(1), done.Headers.Location!.OriginalString, StringComparison.Ordinal);

        await browser.GetPageAsync(LessonUrl(1));
        var dashboard = await browser.GetPageAsync("/dashboard");
        var text = dashboard.Body!.TextContent;
        Assert.Contains("1 of 4 lessons done (25%)", text, StringComparison.Ordinal);
        Assert.Contains("Continue: Lesson second-steps", text, StringComparison.Ordinal);
        Assert.Equal("25", dashboard.QuerySelector("[role=progressbar]")!.GetAttribute("aria-valuenow"));
    }

    [Fact]
    public async Task MarkDone_TwiceKeepsFirstCompletionTime_AndUndoClearsIt()
    {
        var cohortId = await TestCohorts.CreateAsync(app);
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("twice@example.org");
        await browser.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = cohortId.ToString() }, Course + "?handler=Enrol");

        await browser.PostFormAsync(LessonUrl(3), new Dictionary<string, string> { ["done"] = "true" }, LessonUrl(3) + "?handler=Done");
        var first = await app.WithDbAsync(db => db.LessonProgress.SingleAsync());
        await browser.PostFormAsync(LessonUrl(3), new Dictionary<string, string> { ["done"] = "true" }, LessonUrl(3) + "?handler=Done");
        var second = await app.WithDbAsync(db => db.LessonProgress.SingleAsync());
        Assert.Equal(first.CompletedAt, second.CompletedAt);

        await browser.PostFormAsync(LessonUrl(3), new Dictionary<string, string> { ["done"] = "false" }, LessonUrl(3) + "?handler=Done");
        Assert.Null((await app.WithDbAsync(db => db.LessonProgress.SingleAsync())).CompletedAt);
    }

    [Fact]
    public async Task Lesson_RequiresSignIn()
    {
        using var browser = new TestBrowser(app);
        var response = await browser.GetAsync(LessonUrl(0));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lesson_IsRefused_WhenNotEnrolled_AndRecordsNothing()
    {
        await TestCohorts.CreateAsync(app);
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("outsider@example.org");

        var response = await browser.GetAsync(LessonUrl(0));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith(Course, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var done = await browser.PostFormAsync(Course, new Dictionary<string, string> { ["done"] = "true" }, LessonUrl(0) + "?handler=Done");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.LessonProgress.CountAsync()));
    }

    [Fact]
    public async Task Withdraw_LeavesCohort_AndKeepsProgressForReturn()
    {
        var cohortId = await TestCohorts.CreateAsync(app);
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("leaver@example.org");
        var enrolForm = new Dictionary<string, string> { ["cohortId"] = cohortId.ToString() };
        await browser.PostFormAsync(Course, enrolForm, Course + "?handler=Enrol");
        await browser.PostFormAsync(LessonUrl(0), new Dictionary<string, string> { ["done"] = "true" }, LessonUrl(0) + "?handler=Done");

        await browser.PostFormAsync(Course, enrolForm, Course + "?handler=Withdraw");
        Assert.Equal(EnrolmentStatus.Withdrawn, await app.WithDbAsync(db => db.Enrolments.Select(e => e.Status).SingleAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(LessonUrl(1))).StatusCode);

        await browser.PostFormAsync(Course, enrolForm, Course + "?handler=Enrol");
        var page = await browser.GetPageAsync(Course);
        Assert.Contains("1 of 4 lessons done (25%)", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrol_WithWrongInvitationCode_IsRefused_AndRightCodeEnrols()
    {
        var cohortId = await TestCohorts.CreateAsync(app, EnrolmentPolicy.InvitationCode, code: "ADDIS-2026");
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("coded@example.org");

        await browser.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = cohortId.ToString(), ["invitationCode"] = "guess" }, Course + "?handler=Enrol");
        Assert.Contains("invitation code is not right", (await browser.GetPageAsync(Course)).Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Enrolments.CountAsync()));

        await browser.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = cohortId.ToString(), ["invitationCode"] = " addis-2026 " }, Course + "?handler=Enrol");
        Assert.Equal(EnrolmentStatus.Active, await app.WithDbAsync(db => db.Enrolments.Select(e => e.Status).SingleAsync()));
    }

    [Fact]
    public async Task Enrol_IsRefused_WhenCohortIsFull_OrClosed()
    {
        var full = await TestCohorts.CreateAsync(app, capacity: 1);
        var closed = await TestCohorts.CreateAsync(app, endsInDays: -2);
        using (var first = new TestBrowser(app))
        {
            await first.RegisterAsync("first@example.org");
            await first.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = full.ToString() }, Course + "?handler=Enrol");
        }

        using var second = new TestBrowser(app);
        await second.RegisterAsync("second@example.org");
        await second.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = full.ToString() }, Course + "?handler=Enrol");
        Assert.Contains("This cohort is full.", (await second.GetPageAsync(Course)).Body!.TextContent, StringComparison.Ordinal);
        await second.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = closed.ToString() }, Course + "?handler=Enrol");
        Assert.Contains("no longer takes enrolments", (await second.GetPageAsync(Course)).Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.Enrolments.CountAsync()));
    }

    [Fact]
    public async Task Enrol_InCohortOfAnotherCourse_ThroughThisCoursePage_IsNotFound()
    {
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("tamper@example.org");
        var response = await browser.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = "987654" }, Course + "?handler=Enrol");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task LessonPage_IsSmall_AndCarriesNoFrameworkScripts()
    {
        var cohortId = await TestCohorts.CreateAsync(app);
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("small@example.org");
        await browser.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = cohortId.ToString() }, Course + "?handler=Enrol");
        var page = await browser.GetPageAsync(LessonUrl(0));
        var scripts = page.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!).ToList();
        Assert.All(scripts, src => Assert.StartsWith("/js/lesson", src, StringComparison.Ordinal));
        Assert.True(page.Source.Text.Length < 30_000, $"Lesson HTML is {page.Source.Text.Length} characters");
    }
}
