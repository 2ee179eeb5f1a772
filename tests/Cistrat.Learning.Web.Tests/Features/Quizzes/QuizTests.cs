using System.Net;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Features.Quizzes;

public sealed class QuizTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private const string Course = "/courses/" + TestContent.CourseSlug;
    private const string QuizUrl = Course + "/quizzes/" + TestContent.QuizSlug;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string AttemptUrl(int number) => $"{QuizUrl}/attempts/{number}";

    private async Task<TestBrowser> EnrolledTraineeAsync(string email, int? cohortId = null)
    {
        cohortId ??= await TestCohorts.CreateAsync(app);
        var browser = new TestBrowser(app);
        await browser.RegisterAsync(email);
        var enrol = await browser.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = cohortId.ToString()! }, Course + "?handler=Enrol");
        Assert.Equal(HttpStatusCode.Redirect, enrol.StatusCode);
        return browser;
    }

    private static async Task<int> StartAsync(TestBrowser browser)
    {
        var start = await browser.PostFormAsync(QuizUrl, new Dictionary<string, string>(), QuizUrl + "?handler=Start");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        Assert.Contains("/attempts/", location, StringComparison.Ordinal);
        return int.Parse(location[(location.LastIndexOf('/') + 1)..]);
    }

    private static Task<HttpResponseMessage> SubmitAsync(TestBrowser browser, int number, Dictionary<string, string> answers) =>
        browser.PostFormAsync(AttemptUrl(number), answers, AttemptUrl(number) + "?handler=Submit");

    [Fact]
    public async Task Attempt_FromStartToPass_IsGradedOnTheServer_AndTicksTheChecklist()
    {
        using var trainee = await EnrolledTraineeAsync("passer@example.org");
        var number = await StartAsync(trainee);
        Assert.Equal(1, number);

        var page = await trainee.GetPageAsync(AttemptUrl(number));
        Assert.Equal(3, page.QuerySelectorAll("fieldset.question").Length);
        var submitted = await SubmitAsync(trainee, number, TestContent.RightAnswers());
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);

        var result = await trainee.GetPageAsync(AttemptUrl(number));
        Assert.Contains("Passed", result.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("100%", result.Body.TextContent, StringComparison.Ordinal);
        Assert.Contains("feedback-secret-q1", result.Body.TextContent, StringComparison.Ordinal);
        var coursePage = await trainee.GetPageAsync(Course);
        Assert.Contains("Quizzes passed: 1 of 1", coursePage.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAttemptPage_CarriesNoAnswerKeyOrFeedback()
    {
        using var trainee = await EnrolledTraineeAsync("curious@example.org");
        var number = await StartAsync(trainee);
        var html = (await trainee.GetPageAsync(AttemptUrl(number))).Source.Text;
        foreach (var secret in TestContent.SecretTexts)
            Assert.DoesNotContain(secret, html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("correct", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SavedAnswers_SurviveALostConnection_AndAreShownOnReturn()
    {
        using var trainee = await EnrolledTraineeAsync("flaky@example.org");
        var number = await StartAsync(trainee);
        var save = await trainee.PostFormAsync(AttemptUrl(number), new Dictionary<string, string> { ["shown"] = "q1", ["q.q1"] = "b" }, AttemptUrl(number) + "?handler=Save");
        Assert.Equal(HttpStatusCode.Redirect, save.StatusCode);

        // A new device (new cookies) signs in and resumes the same attempt.
        using var again = new TestBrowser(app);
        await again.SignInAsync("flaky@example.org");
        Assert.Equal(number, await StartAsync(again));
        var page = await again.GetPageAsync(AttemptUrl(number));
        Assert.NotNull(page.QuerySelector("input[name='q.q1'][value=b][checked]"));
    }

    [Fact]
    public async Task AttemptsBeyondTheLimit_AreRefused()
    {
        using var trainee = await EnrolledTraineeAsync("limited@example.org");
        for (var i = 1; i <= 2; i++)
        {
            var number = await StartAsync(trainee);
            Assert.Equal(i, number);
            await SubmitAsync(trainee, number, TestContent.WrongAnswers());
        }

        var third = await trainee.PostFormAsync(QuizUrl, new Dictionary<string, string>(), QuizUrl + "?handler=Start");
        Assert.Equal(HttpStatusCode.Redirect, third.StatusCode);
        Assert.EndsWith(QuizUrl, third.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("used all the attempts", (await trainee.GetPageAsync(QuizUrl)).Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(2, await app.WithDbAsync(db => db.QuizAttempts.CountAsync()));
    }

    [Fact]
    public async Task TimeLimit_IsEnforcedOnTheServer()
    {
        using var trainee = await EnrolledTraineeAsync("slow@example.org");
        var number = await StartAsync(trainee);
        await trainee.PostFormAsync(AttemptUrl(number), new Dictionary<string, string> { ["shown"] = "q1", ["q.q1"] = "b" }, AttemptUrl(number) + "?handler=Save");

        app.Clock.Advance(TimeSpan.FromMinutes(11));
        var late = await trainee.PostFormAsync(AttemptUrl(number), TestContent.RightAnswers(), AttemptUrl(number) + "?handler=Save");
        Assert.Equal(HttpStatusCode.Redirect, late.StatusCode);

        var attempt = await app.WithDbAsync(db => db.QuizAttempts.SingleAsync());
        Assert.NotNull(attempt.SubmittedAt);
        // Graded with what was saved in time: q1 only, one question of three.
        Assert.Equal(33, attempt.Percent);
        Assert.False(attempt.Passed);
    }

    [Fact]
    public async Task Resubmitting_TheSameAttempt_DoesNotCountTwice()
    {
        using var trainee = await EnrolledTraineeAsync("twice@example.org");
        var number = await StartAsync(trainee);
        await SubmitAsync(trainee, number, TestContent.WrongAnswers());
        var first = await app.WithDbAsync(db => db.QuizAttempts.SingleAsync());
        await SubmitAsync(trainee, number, TestContent.RightAnswers());
        var second = await app.WithDbAsync(db => db.QuizAttempts.SingleAsync());
        Assert.Equal((first.SubmittedAt, first.Percent, first.Passed), (second.SubmittedAt, second.Percent, second.Passed));
        Assert.False(second.Passed);
    }

    [Fact]
    public async Task TamperedPosts_AreRefused_AndChangeNothing()
    {
        using var trainee = await EnrolledTraineeAsync("tamper@example.org");
        var number = await StartAsync(trainee);

        var foreignQuestion = await trainee.PostFormAsync(AttemptUrl(number), new Dictionary<string, string> { ["shown"] = "q1", ["q.zz9"] = "x" }, AttemptUrl(number) + "?handler=Save");
        Assert.Equal(HttpStatusCode.Redirect, foreignQuestion.StatusCode);
        Assert.Contains("do not belong to this quiz", (await trainee.GetPageAsync(AttemptUrl(number))).Body!.TextContent, StringComparison.Ordinal);
        var badOption = await trainee.PostFormAsync(AttemptUrl(number), new Dictionary<string, string> { ["shown"] = "q1", ["q.q1"] = "z" }, AttemptUrl(number) + "?handler=Save");
        Assert.Equal(HttpStatusCode.Redirect, badOption.StatusCode);
        Assert.Equal("{}", await app.WithDbAsync(db => db.QuizAttempts.Select(a => a.AnswersJson).SingleAsync()));

        await SubmitAsync(trainee, number, TestContent.WrongAnswers());
        var closed = await trainee.PostFormAsync(QuizUrl, new Dictionary<string, string> { ["shown"] = "q1", ["q.q1"] = "b" }, AttemptUrl(number) + "?handler=Save");
        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        Assert.False(await app.WithDbAsync(db => db.QuizAttempts.Select(a => a.Passed).SingleAsync()));

        // Someone else's attempt is not found for this trainee, and an outsider cannot start the quiz at all.
        using var other = await EnrolledTraineeAsync("other@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(AttemptUrl(number))).StatusCode);
        using var outsider = new TestBrowser(app);
        await outsider.RegisterAsync("outsider@example.org");
        var start = await outsider.PostFormAsync(Course, new Dictionary<string, string>(), QuizUrl + "?handler=Start");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.QuizAttempts.CountAsync()));
    }

    [Fact]
    public async Task PassingTheRequiredQuiz_CompletesTheCohort_Once_AndARuleChangeKeepsTheRecord()
    {
        using var coordinator = new TestBrowser(app);
        var coordinatorId = await coordinator.SignUpAsAsync("rules@example.org", Cistrat.Learning.Core.Identity.Roles.Coordinator);
        var cohortId = await TestCohorts.CreateAsync(app, staff: [(coordinatorId, Cistrat.Learning.Core.Cohorts.StaffRole.Coordinator)]);
        var ruleUrl = $"/cohorts/{cohortId}/completion";
        var saved = await coordinator.PostFormAsync(ruleUrl, new Dictionary<string, string>
        {
            ["Input.LessonSharePercent"] = "0", ["Input.Quizzes"] = "All",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        using var trainee = await EnrolledTraineeAsync("completer@example.org", cohortId);
        var number = await StartAsync(trainee);
        await SubmitAsync(trainee, number, TestContent.RightAnswers());
        await SubmitAsync(trainee, number, TestContent.RightAnswers());

        var record = await app.WithDbAsync(db => db.CompletionRecords.SingleAsync());
        Assert.Equal(2, record.RuleVersion);
        Assert.Equal(1, await app.WithDbAsync(db => db.OutboxMessages.CountAsync(m => m.Kind == CompletionService.CompletionReachedKind)));

        // A stricter rule: the trainee no longer meets it, but the completion they reached is kept.
        await coordinator.PostFormAsync(ruleUrl, new Dictionary<string, string> { ["Input.LessonSharePercent"] = "100", ["Input.Quizzes"] = "All" });
        Assert.Equal(3, await app.WithDbAsync(db => db.Cohorts.Select(c => c.CompletionRule.Version).SingleAsync()));
        Assert.Equal(2, (await app.WithDbAsync(db => db.CompletionRecords.SingleAsync())).RuleVersion);
        var roster = await coordinator.GetPageAsync($"/cohorts/{cohortId}");
        Assert.Contains("Completed on", roster.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompletionRule_WithBadInput_IsRefused_AndATraineeCannotChangeIt()
    {
        using var coordinator = new TestBrowser(app);
        var coordinatorId = await coordinator.SignUpAsAsync("strict@example.org", Cistrat.Learning.Core.Identity.Roles.Coordinator);
        var cohortId = await TestCohorts.CreateAsync(app, staff: [(coordinatorId, Cistrat.Learning.Core.Cohorts.StaffRole.Coordinator)]);
        var ruleUrl = $"/cohorts/{cohortId}/completion";
        var bad = await coordinator.PostFormAsync(ruleUrl, new Dictionary<string, string>
        {
            ["Input.LessonSharePercent"] = "140", ["Input.Quizzes"] = "Listed", ["Input.RequiredQuizSlugs"] = "no-such-quiz",
        });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var body = await bad.Content.ReadAsStringAsync();
        Assert.Contains("percentage from 0 to 100", body, StringComparison.Ordinal);
        Assert.Contains("no-such-quiz", body, StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.Cohorts.Select(c => c.CompletionRule.Version).SingleAsync()));

        using var trainee = await EnrolledTraineeAsync("sneaky@example.org", cohortId);
        var response = await trainee.GetAsync(ruleUrl);
        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect);
        if (response.StatusCode == HttpStatusCode.Redirect)
            Assert.Contains("access-denied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LearningRecord_ListsAttempts_AndDownloadsAsJson()
    {
        using var trainee = await EnrolledTraineeAsync("record@example.org");
        var number = await StartAsync(trainee);
        await SubmitAsync(trainee, number, TestContent.RightAnswers());

        var page = await trainee.GetPageAsync("/record");
        Assert.Contains("Test quiz", page.Body!.TextContent, StringComparison.Ordinal);
        var download = await trainee.GetAsync("/record?handler=Download");
        Assert.Equal("application/json", download.Content.Headers.ContentType!.MediaType);
        using var json = System.Text.Json.JsonDocument.Parse(await download.Content.ReadAsStringAsync());
        var attempt = json.RootElement.GetProperty("courses")[0].GetProperty("cohorts")[0].GetProperty("quizAttempts")[0];
        Assert.Equal(100, attempt.GetProperty("percent").GetInt32());
        Assert.Equal("record@example.org", json.RootElement.GetProperty("profile").GetProperty("email").GetString());
    }
}
