using System.Text.RegularExpressions;
using Cistrat.Learning.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Journeys;

/// <summary>A lecturer follows the trainees of a cohort they teach, and cannot manage the cohort.</summary>
[Collection(BrowserJourneys.Name)]
public sealed class LecturerJourney(LearningSite site, JourneyScreenshots<LecturerJourney> screenshots)
    : IClassFixture<JourneyScreenshots<LecturerJourney>>
{
    private const string Course = "AI capacity for public institutions";

    // Demo trainee2: 60% through every course, 9 of the 15 lessons of this one.
    private const string Trainee2 = "محمد عبد الله";

    [Fact]
    public async Task Lecturer_SeesTheTraineesOfTheirCohortWithProgress_ButCannotEnrolPeopleOrEditTheCohort()
    {
        await using var context = await site.SignedInAsync(DemoAccounts.Lecturer);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/dashboard");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Cohorts" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cohorts", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "New cohort" })).ToHaveCountAsync(0);
        await screenshots.TakeAsync(page, "cohorts");

        var cohort = new Regex($"^.+ International Training Workshop: {Course}$");
        await page.GetByRole(AriaRole.Link, new() { NameRegex = cohort }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = cohort, Level = 1 })).ToBeVisibleAsync();

        var trainees = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex(@"^Trainees \(\d+\)$") });
        var row = trainees.GetByRole(AriaRole.Row).Filter(new() { HasText = Trainee2 });
        await Expect(row).ToContainTextAsync("trainee2@demo.local");
        await Expect(row).ToContainTextAsync("9 of 15 lessons (60%)");
        await Expect(row.GetByRole(AriaRole.Progressbar, new() { Name = $"Progress of {Trainee2}" })).ToHaveAttributeAsync("aria-valuenow", "60");
        await Expect(trainees.GetByRole(AriaRole.Row).Filter(new() { HasText = "trainee6@demo.local" })).ToContainTextAsync("Not started");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enrol trainees by email" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Email addresses (one per line, or separated by commas)")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Edit cohort" })).ToHaveCountAsync(0);
        await screenshots.TakeAsync(page, "roster");
    }
}
