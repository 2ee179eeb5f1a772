using System.Net;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Quizzes;
using Cistrat.Learning.E2E.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Journeys;

/// <summary>A trainee takes a module quiz, fails it once, passes it on the second attempt, and sees the checklist move.</summary>
[Collection(BrowserJourneys.Name)]
public sealed partial class QuizJourney(LearningSite site, JourneyScreenshots<QuizJourney> screenshots)
    : IClassFixture<JourneyScreenshots<QuizJourney>>
{
    private const string Course = "STI policy research and methods";
    private const string CourseSlug = "sti-policy-methods";

    [Fact]
    public async Task Trainee_FailsAQuizOnce_PassesItOnTheSecondAttempt_AndTheCompletionChecklistUpdates()
    {
        var quiz = await FirstQuizAsync();
        await using var context = await site.SignedInAsync(DemoAccounts.Trainee6);
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/courses/{CourseSlug}");
        var checklist = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex("^Completion: ") });
        await Expect(checklist).ToContainTextAsync("Quizzes passed: 0 of 6");
        await Expect(checklist).ToContainTextAsync(quiz.Title);
        await screenshots.TakeAsync(page, "checklist-before");

        await page.GetByRole(AriaRole.Link, new() { Name = quiz.Title, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start attempt 1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Group)).ToHaveCountAsync(quiz.Definition.Questions.Count);
        foreach (var question in quiz.Definition.Questions)
            await AnswerAsync(page, question, right: false);
        await screenshots.TakeAsync(page, "attempt-1-answered");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit answers" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Not passed");
        await screenshots.TakeAsync(page, "attempt-1-failed");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the quiz" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Not passed" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start attempt 2" }).ClickAsync();
        foreach (var question in quiz.Definition.Questions)
            await AnswerAsync(page, question, right: true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit answers" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Passed");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("100%");
        await screenshots.TakeAsync(page, "attempt-2-passed");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the course" }).First.ClickAsync();
        await Expect(checklist).ToContainTextAsync("Quizzes passed: 1 of 6");
        await Expect(checklist).Not.ToContainTextAsync(quiz.Title);
        await Expect(checklist.GetByRole(AriaRole.Progressbar, new() { Name = "Quizzes" })).ToHaveAttributeAsync("aria-valuenow", "17");
        await screenshots.TakeAsync(page, "checklist-after");
    }

    /// <summary>Answers one question, found by its prompt; the right answer comes from the server's own key.</summary>
    private static async Task AnswerAsync(IPage page, QuestionDefinition question, bool right)
    {
        var prompt = WebUtility.HtmlDecode(Tags().Replace(question.PromptHtml, "")).Trim();
        var group = page.GetByRole(AriaRole.Group).Filter(new() { HasText = prompt[..Math.Min(prompt.Length, 60)] });
        switch (question.Kind)
        {
            case QuestionKind.SingleChoice:
            case QuestionKind.MultipleChoice:
                var role = question.Kind == QuestionKind.SingleChoice ? AriaRole.Radio : AriaRole.Checkbox;
                var chosen = right ? question.Options.Where(o => o.Correct) : question.Options.Where(o => !o.Correct).Take(1);
                foreach (var option in chosen)
                    await group.GetByRole(role, new() { Name = WebUtility.HtmlDecode(option.Html), Exact = true }).CheckAsync();
                break;
            case QuestionKind.TrueFalse:
                var truth = question.TrueFalseAnswer == right;
                await group.GetByRole(AriaRole.Radio, new() { Name = truth ? "True" : "False", Exact = true }).CheckAsync();
                break;
            case QuestionKind.ShortText:
                await group.GetByRole(AriaRole.Textbox).FillAsync(right ? question.Accepted![0] : "not the answer");
                break;
            case QuestionKind.Numeric:
                await group.GetByRole(AriaRole.Textbox).FillAsync(right ? question.NumericAnswer!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-987654");
                break;
        }
    }

    private async Task<Quiz> FirstQuizAsync()
    {
        await using var scope = site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var courseId = await db.Courses.Where(c => c.Slug == CourseSlug).Select(c => c.Id).SingleAsync();
        var quiz = await db.Quizzes.AsNoTracking().Where(q => q.CourseId == courseId && q.RetiredAt == null).OrderBy(q => q.Position).FirstAsync();
        Assert.Contains(Course, (await db.Courses.SingleAsync(c => c.Id == courseId)).Title, StringComparison.Ordinal);
        return quiz;
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
