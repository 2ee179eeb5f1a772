using Cistrat.Learning.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Journeys;

/// <summary>A coordinator opens cohorts, enrols and invites trainees by email, and decides requests for a place.</summary>
[Collection(BrowserJourneys.Name)]
public sealed class CoordinatorJourney(LearningSite site, JourneyScreenshots<CoordinatorJourney> screenshots)
    : IClassFixture<JourneyScreenshots<CoordinatorJourney>>
{
    private const string TimeZone = "Africa/Addis_Ababa";

    [Fact]
    public async Task Coordinator_CreatesACohort_EnrolsAKnownTrainee_AndInvitesAnAddressWithoutAnAccount()
    {
        const string Cohort = "Addis Ababa Workshop: Digital transformation";
        const string Unknown = "new.official@example.org";
        await using var context = await site.SignedInAsync(DemoAccounts.Coordinator);
        var page = await context.NewPageAsync();

        await CreateCohortAsync(page, "Digital transformation of STI systems", Cohort, policy: "Open", policyLabel: "Open enrolment", "open");

        await page.GetByLabel("Email addresses (one per line, or separated by commas)").FillAsync($"{DemoAccounts.Trainee}\n{Unknown}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enrol", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Enrolled: 1. Invited (no account yet): 1.");
        var trainees = page.GetByRole(AriaRole.Region, new() { Name = "Trainees (1)" });
        await Expect(trainees.GetByRole(AriaRole.Row).Filter(new() { HasText = DemoAccounts.Trainee })).ToContainTextAsync("Amina Benali");
        var invitations = page.GetByRole(AriaRole.Region, new() { Name = "Invitations waiting for registration (1)" });
        await Expect(invitations.GetByRole(AriaRole.Listitem)).ToContainTextAsync(Unknown);
        await Expect(trainees).Not.ToContainTextAsync(Unknown);
        await screenshots.TakeAsync(page, "open-cohort-after-enrolling-by-email");
    }

    [Fact]
    public async Task Coordinator_ApprovesATraineesRequestForAPlace_InACohortThatNeedsApproval()
    {
        const string Cohort = "Addis Ababa Workshop: STI policy methods (by approval)";
        const string Trainee3 = "Selamawit Tesfaye";
        await using var coordinatorContext = await site.SignedInAsync(DemoAccounts.Coordinator);
        var coordinator = await coordinatorContext.NewPageAsync();
        await CreateCohortAsync(coordinator, "STI policy research and methods", Cohort, policy: "Approval", policyLabel: "Approval by a coordinator", "approval");
        await Expect(coordinator.GetByRole(AriaRole.Heading, new() { Name = "Requests waiting for approval" })).ToHaveCountAsync(0);

        await using var traineeContext = await site.SignedInAsync(DemoAccounts.Trainee3);
        var trainee = await traineeContext.NewPageAsync();
        await trainee.GotoAsync("/courses/sti-policy-methods");
        var request = trainee.GetByRole(AriaRole.Button, new() { Name = $"Enrol in {Cohort}", Exact = true });
        await Expect(request).ToHaveTextAsync("Request a place");
        await request.ClickAsync();
        await Expect(trainee.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your request was sent. A coordinator will review it.");
        await Expect(CohortCard(trainee, Cohort)).ToContainTextAsync("Waiting for approval");
        await screenshots.TakeAsync(trainee, "trainee-requested-a-place");

        await coordinator.ReloadAsync();
        var requests = coordinator.GetByRole(AriaRole.Region, new() { Name = "Requests waiting for approval" });
        await Expect(requests.GetByRole(AriaRole.Row).Filter(new() { HasText = Trainee3 })).ToContainTextAsync(DemoAccounts.Trainee3);
        await screenshots.TakeAsync(coordinator, "request-waiting");

        await requests.GetByRole(AriaRole.Button, new() { Name = $"Approve {Trainee3}" }).ClickAsync();
        await Expect(coordinator.GetByRole(AriaRole.Status)).ToHaveTextAsync("Request approved.");
        await Expect(requests).ToHaveCountAsync(0);
        await Expect(coordinator.GetByRole(AriaRole.Region, new() { Name = "Trainees (1)" }).GetByRole(AriaRole.Row).Filter(new() { HasText = Trainee3 }))
            .ToContainTextAsync(DemoAccounts.Trainee3);
        await screenshots.TakeAsync(coordinator, "request-approved");

        await trainee.ReloadAsync();
        await Expect(CohortCard(trainee, Cohort)).ToContainTextAsync("Enrolled");
        await screenshots.TakeAsync(trainee, "trainee-enrolled");
    }

    private async Task CreateCohortAsync(IPage page, string course, string name, string policy, string policyLabel, string step)
    {
        await page.GotoAsync("/dashboard");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Cohorts" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cohorts", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New cohort" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New cohort", Level = 1 })).ToBeVisibleAsync();

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await page.GetByLabel("Course", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = course });
        await page.GetByLabel("Cohort name").FillAsync(name);
        await page.GetByLabel("Starts on").FillAsync(today.AddDays(7).ToString("yyyy-MM-dd"));
        await page.GetByLabel("Ends on").FillAsync(today.AddDays(49).ToString("yyyy-MM-dd"));
        await page.GetByLabel("Time zone of the cohort").SelectOptionAsync(TimeZone);
        await page.GetByLabel("Enrolment policy").SelectOptionAsync(policy);
        await screenshots.TakeAsync(page, $"new-{step}-cohort-form");

        await page.GetByRole(AriaRole.Button, new() { Name = "Save cohort" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The cohort was saved.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync($"({TimeZone})");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync(policyLabel);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Trainees (0)" })).ToContainTextAsync("No trainee is enrolled yet.");
        await screenshots.TakeAsync(page, $"new-{step}-cohort-roster");
    }

    private static ILocator CohortCard(IPage page, string cohort) =>
        page.GetByRole(AriaRole.Region, new() { Name = "Cohorts open for enrolment" }).GetByRole(AriaRole.Listitem)
            .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = cohort, Exact = true }) });
}
