using System.Text.RegularExpressions;
using Cistrat.Learning.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Journeys;

/// <summary>A trainee finds a course in the catalogue, joins its cohort, reads two lessons and follows their progress.</summary>
[Collection(BrowserJourneys.Name)]
public sealed class TraineeJourney(LearningSite site, JourneyScreenshots<TraineeJourney> screenshots)
    : IClassFixture<JourneyScreenshots<TraineeJourney>>
{
    private const string Course = "AI capacity for public institutions";
    private const string Lesson1 = "What AI is and what it is not";
    private const string Lesson2 = "How machine learning works";
    private const string Lesson3 = "Foundation models, generative AI and their limits";

    [Fact]
    public async Task Trainee_EnrolsFromTheCatalogue_MarksTwoLessonsDone_AndMyLearningShowsProgressAndWhereToContinue()
    {
        await using var context = await site.SignedInAsync(DemoAccounts.Trainee);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Catalogue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Course catalogue", Level = 1 })).ToBeVisibleAsync();
        await screenshots.TakeAsync(page, "catalogue");

        await page.GetByRole(AriaRole.Link, new() { Name = Course, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Course, Level = 1 })).ToBeVisibleAsync();
        await screenshots.TakeAsync(page, "course-before-enrolling");

        var enrol = page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex($"^Enrol in .+ International Training Workshop: {Course}$") });
        await Expect(enrol).ToHaveTextAsync("Enrol");
        await enrol.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("You are enrolled. Welcome to the course!");
        await screenshots.TakeAsync(page, "enrolled");

        await page.GetByRole(AriaRole.Link, new() { Name = Lesson1, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Lesson1, Level = 1 })).ToBeVisibleAsync();
        await screenshots.TakeAsync(page, "lesson-1");

        // Marking a lesson done moves on to the next one.
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as done" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Lesson2, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("Course: 1 of 15 lessons done")).ToBeVisibleAsync();
        await screenshots.TakeAsync(page, "lesson-2");

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as done" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Lesson3, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("Course: 2 of 15 lessons done")).ToBeVisibleAsync();
        var lesson3Path = new Uri(page.Url).AbsolutePath;
        await screenshots.TakeAsync(page, "lesson-3");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "My learning" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My learning", Level = 1 })).ToBeVisibleAsync();
        var card = page.GetByRole(AriaRole.Listitem).Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = Course, Exact = true }) });
        await Expect(card).ToContainTextAsync("2 of 15 lessons done (13%)");
        await Expect(card.GetByRole(AriaRole.Progressbar, new() { Name = $"Progress in {Course}" })).ToHaveAttributeAsync("aria-valuenow", "13");
        await Expect(card.GetByRole(AriaRole.Link, new() { Name = $"Continue: {Lesson3}", Exact = true })).ToHaveAttributeAsync("href", lesson3Path);
        await screenshots.TakeAsync(page, "my-learning");

        await card.GetByRole(AriaRole.Link, new() { Name = Course, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Course, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Your progress" })).ToContainTextAsync("2 of 15 lessons done (13%)");
        await Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "Course progress" })).ToHaveAttributeAsync("aria-valuenow", "13");
        await ExpectDoneAsync(page, Lesson1, done: true);
        await ExpectDoneAsync(page, Lesson2, done: true);
        await ExpectDoneAsync(page, Lesson3, done: false);
        await screenshots.TakeAsync(page, "course-with-done-marks");

        // Many trainees read on a phone: every lesson of the course fits the screen's width, tables included.
        await page.SetViewportSizeAsync(390, 844);
        foreach (var href in await page.GetByRole(AriaRole.Region, new() { Name = "Course outline" }).GetByRole(AriaRole.Link).EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href')).filter(h => h.includes('/lessons/'))"))
        {
            await page.GotoAsync(href);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{href} is {overflow}px wider than a phone screen");
        }

        await page.GotoAsync(lesson3Path);
        await screenshots.TakeAsync(page, "lesson-on-a-phone");
    }

    /// <summary>A done lesson says so to screen readers, and shows a ✓ before its title to everyone else.</summary>
    private static async Task ExpectDoneAsync(IPage page, string lesson, bool done)
    {
        var item = page.GetByRole(AriaRole.Region, new() { Name = "Course outline" }).GetByRole(AriaRole.Listitem)
            .Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = lesson, Exact = true }) });
        if (done)
            await Expect(item).ToContainTextAsync("(done)");
        else
            await Expect(item).Not.ToContainTextAsync("(done)");
        var mark = await item.EvaluateAsync<string>("li => getComputedStyle(li, '::before').content");
        Assert.True(mark == (done ? "\"✓ \"" : "none"), $"The mark before '{lesson}' is {mark}: {await item.EvaluateAsync<string>("li => li.outerHTML")}");
    }
}
