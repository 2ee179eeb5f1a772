using System.Diagnostics;
using System.Text.RegularExpressions;
using Cistrat.Learning.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Journeys;

/// <summary>
/// A lecturer and two trainees in one live room, each in their own browser: slides, a poll, an anonymous question that
/// is upvoted and answered in writing. Every change reaches the other two, and all three end on the same room.
/// </summary>
[Collection(BrowserJourneys.Name)]
public sealed partial class LiveRoomJourney(LearningSite site, JourneyScreenshots<LiveRoomJourney> screenshots, ITestOutputHelper output)
    : IClassFixture<JourneyScreenshots<LiveRoomJourney>>
{
    private const string Course = "AI capacity for public institutions";
    private const string Session = "Opening lecture and Q&A";

    // Demo trainee2 (محمد عبد الله), enrolled in every demo cohort; DemoAccounts names only the accounts other journeys use.
    private const string Trainee2Email = "trainee2@demo.local";
    private const string Trainee2Name = "محمد عبد الله";

    // Headings of the course's first deck, content/ai-capacity/slides/01-what-ai-is.md.
    private const string Slide1 = "What AI is and what it is not";
    private const string Slide3 = "Rules written by people, or patterns learned from data";
    private const string Slide4 = "Is it AI? A research council sorts its tools";
    private const string Slide5 = "How a model is built";

    private const string PollQuestion = "Which of these tools is an AI system?";
    private static readonly string[] PollOptions = ["A spreadsheet that totals budgets", "A reviewer-matching model", "A form that checks signatures"];

    private static readonly string[] Who = ["lecturer", "trainee2", "trainee3"];

    private const string QuestionText = "How do we check a supplier's accuracy claim before we buy?";
    private const string AnswerText = "Ask for precision and recall on a test set like your own cases, not one accuracy figure.";

    [Fact]
    public async Task LecturerAndTwoTrainees_SeeEveryChangeOfTheOthers_AndEndOnTheSameRoom()
    {
        var clock = Stopwatch.StartNew();
        var lap = TimeSpan.Zero;
        void Time(string step)
        {
            output.WriteLine($"{step}: {(clock.Elapsed - lap).TotalSeconds:0.00} s");
            lap = clock.Elapsed;
        }

        var contexts = await Task.WhenAll(
            site.SignedInAsync(DemoAccounts.Lecturer), site.SignedInAsync(Trainee2Email), site.SignedInAsync(DemoAccounts.Trainee3));
        await using var lecturerContext = contexts[0];
        await using var trainee2Context = contexts[1];
        await using var trainee3Context = contexts[2];
        var lecturer = await lecturerContext.NewPageAsync();
        var trainee2 = await trainee2Context.NewPageAsync();
        var trainee3 = await trainee3Context.NewPageAsync();
        var everyone = new[] { lecturer, trainee2, trainee3 };
        var trainees = new[] { trainee2, trainee3 };
        Time("sign in (three accounts)");

        // The lecturer finds the session on their own list, as they would before the lecture.
        await lecturer.GotoAsync("/sessions");
        await Expect(lecturer.GetByRole(AriaRole.Heading, new() { Name = "Live sessions", Level = 1 })).ToBeVisibleAsync();
        var card = lecturer.GetByRole(AriaRole.Listitem)
            .Filter(new() { HasText = $"International Training Workshop: {Course}" })
            .Filter(new() { Has = lecturer.GetByRole(AriaRole.Link, new() { Name = Session, Exact = true }) });
        await Expect(card).ToHaveCountAsync(1);
        var sessionPath = await card.GetByRole(AriaRole.Link, new() { Name = Session, Exact = true }).GetAttributeAsync("href");
        Assert.Matches(@"^/sessions/\d+$", sessionPath);
        var room = sessionPath + "/room";

        await Task.WhenAll(everyone.Select(page => page.GotoAsync(room)));
        foreach (var page in everyone)
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Session, Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live");
        }

        Time("open the room and reach Live (three pages)");

        // The deck's length, from the lecturer's page; a fresh demo room starts on slide 1, but the lecturer makes sure.
        await lecturer.GetByLabel("Go to slide", new() { Exact = true }).FillAsync("1");
        await Slides(lecturer).GetByRole(AriaRole.Button, new() { Name = "Go", Exact = true }).ClickAsync();
        await Expect(Position(lecturer)).ToHaveTextAsync(SlideOfPattern());
        var count = int.Parse(SlideOfPattern().Match(await Position(lecturer).InnerTextAsync()).Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(count >= 5, $"The demo deck has {count} slides; the journey walks to slide 5.");
        foreach (var page in everyone)
        {
            await Expect(Position(page)).ToHaveTextAsync($"Slide 1 of {count}");
            await Expect(Slides(page).GetByRole(AriaRole.Heading, new() { Name = Slide1, Exact = true })).ToBeVisibleAsync();
        }

        await ShootAsync("joined");

        // Slides: the lecturer moves on twice; both trainees follow.
        var next = Slides(lecturer).GetByRole(AriaRole.Button, new() { Name = "Next slide", Exact = true });
        await next.ClickAsync();
        await Expect(Position(lecturer)).ToHaveTextAsync($"Slide 2 of {count}");
        await next.ClickAsync();
        foreach (var page in everyone)
        {
            await Expect(Position(page)).ToHaveTextAsync($"Slide 3 of {count}");
            await Expect(Slides(page).GetByRole(AriaRole.Heading, new() { Name = Slide3, Exact = true })).ToBeVisibleAsync();
        }

        await ShootAsync("slide-3");
        Time("lecturer moves to slide 3, trainees follow");

        // Trainee2 looks back one slide on their own, and is offered the way back to where the lecture is.
        var backToLive = Slides(trainee2).GetByRole(AriaRole.Button, new() { Name = "Back to live", Exact = true });
        await Expect(backToLive).ToBeHiddenAsync();
        await Slides(trainee2).GetByRole(AriaRole.Button, new() { Name = "Previous slide", Exact = true }).ClickAsync();
        await Expect(Position(trainee2)).ToHaveTextAsync($"Slide 2 of {count} (live: slide 3)");
        await Expect(backToLive).ToBeVisibleAsync();
        await Expect(Position(trainee3)).ToHaveTextAsync($"Slide 3 of {count}");

        await next.ClickAsync();
        await Expect(Position(trainee3)).ToHaveTextAsync($"Slide 4 of {count}");
        await Expect(Slides(trainee3).GetByRole(AriaRole.Heading, new() { Name = Slide4, Exact = true })).ToBeVisibleAsync();
        await Expect(Position(trainee2)).ToHaveTextAsync($"Slide 2 of {count} (live: slide 4)");
        await screenshots.TakeAsync(trainee2, "live-trainee2-browsing");

        await backToLive.ClickAsync();
        await Expect(Position(trainee2)).ToHaveTextAsync($"Slide 4 of {count}");
        await Expect(Slides(trainee2).GetByRole(AriaRole.Heading, new() { Name = Slide4, Exact = true })).ToBeVisibleAsync();
        await Expect(backToLive).ToBeHiddenAsync();
        Time("trainee browses back and returns to live");

        // One more slide, so that the final comparison is not on a slide any earlier step already checked.
        await next.ClickAsync();
        foreach (var page in everyone)
            await Expect(Slides(page).GetByRole(AriaRole.Heading, new() { Name = Slide5, Exact = true })).ToBeVisibleAsync();

        // A single-choice poll with three options.
        var polls = Polls(lecturer);
        await polls.GetByText("Open a poll", new() { Exact = true }).ClickAsync();
        await polls.GetByLabel("Question", new() { Exact = true }).FillAsync(PollQuestion);
        await polls.GetByLabel("Option 1", new() { Exact = true }).FillAsync(PollOptions[0]);
        await polls.GetByLabel("Option 2", new() { Exact = true }).FillAsync(PollOptions[1]);
        await polls.GetByRole(AriaRole.Button, new() { Name = "Add an option", Exact = true }).ClickAsync();
        await polls.GetByLabel("Option 3", new() { Exact = true }).FillAsync(PollOptions[2]);
        await Expect(polls.GetByRole(AriaRole.Checkbox, new() { Name = "Allow several choices", Exact = true })).Not.ToBeCheckedAsync();
        await polls.GetByRole(AriaRole.Button, new() { Name = "Open the poll", Exact = true }).ClickAsync();
        await Expect(Poll(lecturer)).ToContainTextAsync("Voting open");
        await Expect(Poll(lecturer)).ToContainTextAsync("Results hidden from trainees");

        foreach (var page in trainees)
        {
            var poll = Poll(page);
            await Expect(poll).ToContainTextAsync("Voting open");
            await Expect(poll.GetByRole(AriaRole.Radio)).ToHaveCountAsync(PollOptions.Length);
            await Expect(poll.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(0);
            await Expect(poll).ToContainTextAsync("Results are shown when the lecturer reveals them.");
            await Expect(poll.GetByRole(AriaRole.List, new() { Name = "Results" })).ToHaveCountAsync(0);
        }

        await ShootAsync("poll-open");
        Time("lecturer opens a poll, trainees see it");

        // Trainee2 picks the model, trainee3 the spreadsheet; the lecturer's count reaches two voters.
        foreach (var (page, choice) in new[] { (trainee2, 1), (trainee3, 0) })
        {
            var poll = Poll(page);
            await poll.GetByRole(AriaRole.Radio, new() { Name = PollOptions[choice], Exact = true }).CheckAsync();
            await poll.GetByRole(AriaRole.Button, new() { Name = "Vote", Exact = true }).ClickAsync();
            await Expect(poll).ToContainTextAsync($"You voted: {PollOptions[choice]}");
            await Expect(poll.GetByRole(AriaRole.Radio)).ToHaveCountAsync(0);
        }

        await Expect(Poll(lecturer)).ToContainTextAsync("Voters: 2");
        await Poll(lecturer).GetByRole(AriaRole.Button, new() { Name = "Reveal results", Exact = true }).ClickAsync();
        await Expect(Poll(lecturer)).ToContainTextAsync("Results shown to trainees");
        string[] expectedResults =
        [
            $"{PollOptions[0]}: Votes: 1 (50%)",
            $"{PollOptions[1]}: Votes: 1 (50%)",
            $"{PollOptions[2]}: Votes: 0 (0%)",
        ];
        foreach (var page in everyone)
        {
            var results = Poll(page).GetByRole(AriaRole.List, new() { Name = "Results" }).GetByRole(AriaRole.Listitem);
            await Expect(results).ToHaveCountAsync(PollOptions.Length);
            for (var i = 0; i < PollOptions.Length; i++)
            {
                await Expect(results.Nth(i)).ToContainTextAsync(PollOptions[i]);
                await Expect(results.Nth(i)).ToContainTextAsync(i == 2 ? "Votes: 0 (0%)" : "Votes: 1 (50%)");
            }

            await Expect(Poll(page)).ToContainTextAsync("Voters: 2");
        }

        await ShootAsync("poll-revealed");
        Time("two votes, lecturer reveals, trainees see the counts");

        // Trainee2 asks anonymously: trainee3 sees the question but not who asked; the lecturer sees the name.
        var questions2 = Questions(trainee2);
        await questions2.GetByLabel("Your question", new() { Exact = true }).FillAsync(QuestionText);
        await questions2.GetByRole(AriaRole.Checkbox, new() { NameRegex = new Regex("^Anonymous to other trainees") }).CheckAsync();
        await questions2.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        await Expect(questions2.GetByLabel("Your question", new() { Exact = true })).ToHaveValueAsync("");
        await Expect(Question(trainee2)).ToContainTextAsync("You (anonymous to other trainees)");

        await Expect(Question(trainee3)).ToBeVisibleAsync();
        await Expect(Question(trainee3)).ToContainTextAsync("Anonymous");
        await Expect(Question(trainee3)).Not.ToContainTextAsync(Trainee2Name);
        await Expect(QuestionList(trainee3)).Not.ToContainTextAsync(Trainee2Name);
        await Expect(Question(lecturer)).ToContainTextAsync($"{Trainee2Name} (anonymous to trainees)");
        foreach (var page in everyone)
            await Expect(Question(page)).ToContainTextAsync("Votes: 0");

        await ShootAsync("question-asked");
        Time("trainee asks anonymously, both others see it");

        var upvote = Question(trainee3).GetByRole(AriaRole.Button, new() { Name = "Upvote", Exact = true });
        await upvote.ClickAsync();
        var upvoted = Question(trainee3).GetByRole(AriaRole.Button, new() { Name = "Upvoted", Exact = true });
        await Expect(upvoted).ToBeDisabledAsync();
        await Expect(upvoted).ToHaveAttributeAsync("aria-pressed", "true");
        foreach (var page in everyone)
            await Expect(Question(page)).ToContainTextAsync("Votes: 1");
        Time("trainee upvotes, everyone sees one vote");

        await Question(lecturer).GetByRole(AriaRole.Button, new() { Name = "Answer in writing", Exact = true }).ClickAsync();
        await Question(lecturer).GetByLabel("Written answer", new() { Exact = true }).FillAsync(AnswerText);
        await Question(lecturer).GetByRole(AriaRole.Button, new() { Name = "Send answer", Exact = true }).ClickAsync();
        foreach (var page in everyone)
        {
            await Expect(Question(page)).ToContainTextAsync(AnswerText);
            await Expect(Question(page).GetByText("Answered", new() { Exact = true })).ToBeVisibleAsync();
        }

        await Expect(Question(lecturer).GetByRole(AriaRole.Button, new() { Name = "Answer in writing", Exact = true })).ToHaveCountAsync(0);
        Time("lecturer answers in writing, everyone sees it");

        // Everyone ends on the same room: the same questions (text, votes, status, answer), slide and poll counts.
        var rooms = new List<RoomState>();
        foreach (var page in everyone)
            rooms.Add(await ReadRoomAsync(page));
        foreach (var (state, who) in rooms.Zip(Who))
            output.WriteLine($"{who}: {state}");
        Assert.Equal(new QuestionState(QuestionText, "Votes: 1", "Answered", AnswerText), Assert.Single(rooms[0].Questions));
        Assert.Equal($"Slide 5 of {count}", rooms[0].Slide);
        Assert.Equal(expectedResults, rooms[0].PollResults);
        Assert.All(rooms, state =>
        {
            Assert.Equal(rooms[0].Questions, state.Questions);
            Assert.Equal(rooms[0].Slide, state.Slide);
            Assert.Equal(rooms[0].PollResults, state.PollResults);
        });

        // The state above came from events; a reload rebuilds it from the server's snapshot, which must agree.
        await trainee3.ReloadAsync();
        await Expect(trainee3.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live");
        await Expect(Question(trainee3)).ToContainTextAsync(AnswerText);
        var reloaded = await ReadRoomAsync(trainee3);
        Assert.Equal(rooms[0].Questions, reloaded.Questions);
        Assert.Equal(rooms[0].Slide, reloaded.Slide);
        Assert.Equal(rooms[0].PollResults, reloaded.PollResults);
        await Expect(Question(trainee3).GetByRole(AriaRole.Button, new() { Name = "Upvoted", Exact = true })).ToBeDisabledAsync();
        await Expect(Question(trainee3)).Not.ToContainTextAsync(Trainee2Name);

        await ShootAsync("final");
        Time("final state compared on three pages");

        // Trainees often follow a lecture on a phone: the room fits a 390 px screen without sideways scrolling.
        await trainee3.SetViewportSizeAsync(390, 844);
        await Expect(Position(trainee3)).ToHaveTextAsync($"Slide 5 of {count}");
        var overflow = await trainee3.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        var wide = await trainee3.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && e.getClientRects().length > 0)
                .slice(0, 10)
                .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).trim().split(/\s+/).join('.') : ''} right=${Math.round(e.getBoundingClientRect().right)}`)
            """);
        await screenshots.TakeAsync(trainee3, "live-trainee3-phone");
        Assert.True(overflow <= 0, $"The trainee's room is {overflow}px wider than a 390 px phone screen; too wide: {string.Join(", ", wide)}");
        Time("trainee view at 390 px");

        async Task ShootAsync(string step)
        {
            await screenshots.TakeAsync(lecturer, $"live-{step}-lecturer");
            await screenshots.TakeAsync(trainee2, $"live-{step}-trainee2");
            await screenshots.TakeAsync(trainee3, $"live-{step}-trainee3");
        }
    }

    private static ILocator Slides(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "Slides", Exact = true });

    // The slide position line ("Slide 3 of 10") is a polite live region, without a role of its own.
    private static ILocator Position(IPage page) => Slides(page).GetByText(SlideOfPattern());

    private static ILocator Polls(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "Polls", Exact = true });

    private static ILocator Poll(IPage page) =>
        Polls(page).GetByRole(AriaRole.List, new() { Name = "Polls", Exact = true }).GetByRole(AriaRole.Listitem)
            .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = PollQuestion, Exact = true }) });

    private static ILocator Questions(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "Questions", Exact = true });

    private static ILocator QuestionList(IPage page) => Questions(page).GetByRole(AriaRole.List, new() { Name = "Questions", Exact = true });

    private static ILocator Question(IPage page) => QuestionList(page).GetByRole(AriaRole.Listitem).Filter(new() { HasText = QuestionText });

    // What a person reads in the room, item by item, so that three pages can be compared field by field.
    private static async Task<RoomState> ReadRoomAsync(IPage page)
    {
        var questions = await QuestionList(page).GetByRole(AriaRole.Listitem).EvaluateAllAsync<string?[][]>(
            """
            items => items.map(li => [
                li.querySelector('.question-text')?.textContent ?? null,
                li.querySelector('.votes')?.textContent ?? null,
                li.querySelector('.tag[class*="status-"]')?.textContent ?? 'Open',
                li.querySelector('.answer-text')?.textContent ?? null,
            ])
            """);
        var results = await Poll(page).GetByRole(AriaRole.List, new() { Name = "Results" }).GetByRole(AriaRole.Listitem).EvaluateAllAsync<string[]>(
            "items => items.map(li => `${li.querySelector('.poll-option').textContent}: ${li.querySelector('.meta').textContent}`)");
        return new RoomState(
            [.. questions.Select(q => new QuestionState(q[0], q[1], q[2] ?? "Open", q[3]))],
            await Position(page).InnerTextAsync(),
            results);
    }

    [GeneratedRegex(@"^Slide (?<shown>\d+) of (?<count>\d+)")]
    private static partial Regex SlideOfPattern();

    private sealed record QuestionState(string? Text, string? Votes, string Status, string? Answer);

    private sealed record RoomState(IReadOnlyList<QuestionState> Questions, string Slide, IReadOnlyList<string> PollResults)
    {
        public override string ToString() =>
            $"slide \"{Slide}\"; poll [{string.Join(" | ", PollResults.Select(r => r.Replace('\n', ' ')))}]; questions [{string.Join(" | ", Questions)}]";
    }
}
