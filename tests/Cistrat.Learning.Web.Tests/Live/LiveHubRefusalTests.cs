using System.Net;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>Every refusal of the room's contract: the code the caller gets, and that nothing changed.</summary>
public sealed class LiveHubRefusalTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Connecting_WithoutSigningIn_IsRefused()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var anonymous = room.Anonymous();

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => room.ConnectAsync(anonymous));

        // The contract names no status; the point is that no connection is made (a script gets 401: see
        // HubRequestsTests).
        Assert.NotNull(refused.StatusCode);
        Assert.False((int)refused.StatusCode.Value is >= 200 and < 300, $"Got {refused.StatusCode}");
        Assert.False(await NegotiatesAsync(anonymous.Cookies, origin: null));
    }

    [Fact]
    public async Task Connecting_FromAnotherOrigin_IsRefused_EvenWithTheCookie()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.TraineeAsync();

        Assert.False(await NegotiatesAsync(trainee.Cookies, "https://evil.example"));
        Assert.False(await NegotiatesAsync(trainee.Cookies, "http://localhost"));
        // Both the negotiate POST and the WebSocket upgrade (a GET, which browsers send with the cookie from any
        // site) are a plain 403, not an error page.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(trainee.Http, HttpMethod.Post, "/hubs/live/negotiate?negotiateVersion=1", "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(trainee.Http, HttpMethod.Get, "/hubs/live?id=x", "https://evil.example"));
        Assert.True(await NegotiatesAsync(trainee.Cookies, "https://localhost"));
        Assert.True(await NegotiatesAsync(trainee.Cookies, origin: null));
    }

    [Fact]
    public async Task AnotherCohortsTrainee_CannotJoin_NotFound()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var outsider = await room.ConnectAsync(await room.OutsiderAsync());

        await RoomClient.RefusedAsync("not-found", outsider.JoinAsync);
        await RoomClient.RefusedAsync("not-found", () => outsider.AskAsync("Can I ask anyway?"));
        await RoomClient.RefusedAsync("not-found", () => outsider.SendChatAsync("Hello?"));
        await RoomClient.RefusedAsync("not-found", () => outsider.Hub.InvokeAsync<RoomSnapshot>("Join", int.MaxValue, Ct));

        Assert.False(await room.DbAsync(db => db.AttendanceVisits.AnyAsync(v => v.SessionId == room.SessionId, Ct)));
        Assert.False(await room.DbAsync(db => db.RoomQuestions.AnyAsync(q => q.SessionId == room.SessionId, Ct)));
    }

    [Theory]
    [InlineData("GoToSlide")]
    [InlineData("SetNotes")]
    [InlineData("ModerateQuestion")]
    [InlineData("AnswerQuestion")]
    [InlineData("OpenPoll")]
    [InlineData("RevealPoll")]
    [InlineData("ClosePoll")]
    [InlineData("DeleteChat")]
    [InlineData("MuteParticipant")]
    [InlineData("GetParticipants")]
    public async Task Trainee_CannotUseAStaffMethod_Forbidden(string method)
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var otherPerson = await room.TraineeAsync("Other");
        var other = await room.JoinAsync(otherPerson);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var question = await other.AskAsync("A question to moderate");
        var poll = await lecturer.OpenPollAsync("A poll", ["Yes", "No"]);
        var message = await other.SendChatAsync("A message to delete");
        var version = await room.VersionAsync();

        await RoomClient.RefusedAsync("forbidden", method switch
        {
            "GoToSlide" => () => trainee.GoToSlideAsync(2),
            "SetNotes" => () => trainee.SetNotesAsync("My notes now"),
            "ModerateQuestion" => () => trainee.ModerateQuestionAsync(question.Id, "dismiss"),
            "AnswerQuestion" => () => trainee.AnswerQuestionAsync(question.Id, "I know!"),
            "OpenPoll" => () => trainee.OpenPollAsync("My poll", ["A", "B"]),
            "RevealPoll" => () => trainee.RevealPollAsync(poll.Id),
            "ClosePoll" => () => trainee.ClosePollAsync(poll.Id),
            "DeleteChat" => () => trainee.DeleteChatAsync(message.Id),
            "MuteParticipant" => () => trainee.MuteParticipantAsync(otherPerson.UserId, true),
            "GetParticipants" => trainee.GetParticipantsAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        });

        Assert.Equal(version, await room.VersionAsync());
        var snapshot = (await lecturer.SyncAsync(-1))!;
        Assert.Equal((1, ""), (snapshot.Slide, snapshot.Notes));
        Assert.Equal("open", Assert.Single(snapshot.Questions).Status);
        Assert.Equal(("open", false), (Assert.Single(snapshot.Polls).Status, snapshot.Polls[0].Revealed));
        Assert.Single(snapshot.Chat);
        Assert.False(await room.DbAsync(db => db.RoomMutes.AnyAsync(m => m.SessionId == room.SessionId, Ct)));
    }

    [Theory]
    [InlineData("Ask")]
    [InlineData("Upvote")]
    [InlineData("VotePoll")]
    public async Task Staff_CannotAskUpvoteOrVote_Forbidden(string method)
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var coordinator = await room.JoinAsync(room.Coordinator);
        var admin = await room.JoinAsync(await room.AdminAsync());
        var question = await trainee.AskAsync("Only trainees vote on this");
        var poll = await lecturer.OpenPollAsync("Only trainees vote", ["Yes", "No"]);
        var version = await room.VersionAsync();

        foreach (var staff in new[] { lecturer, coordinator, admin })
        {
            await RoomClient.RefusedAsync("forbidden", method switch
            {
                "Ask" => () => staff.AskAsync("A staff question"),
                "Upvote" => () => staff.UpvoteAsync(question.Id),
                "VotePoll" => () => staff.VotePollAsync(poll.Id, 0),
                _ => throw new ArgumentOutOfRangeException(nameof(method)),
            });
        }

        Assert.Equal(version, await room.VersionAsync());
        Assert.Equal(1, await room.DbAsync(db => db.RoomQuestions.CountAsync(q => q.SessionId == room.SessionId, Ct)));
        Assert.False(await room.DbAsync(db => db.QuestionVotes.AnyAsync(v => v.QuestionId == question.Id, Ct)));
        Assert.False(await room.DbAsync(db => db.PollVotes.AnyAsync(v => v.PollId == poll.Id, Ct)));
    }

    [Fact]
    public async Task OnlyTheAuthor_EditsOrWithdrawsAQuestion_Forbidden()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var author = await room.JoinAsync(await room.TraineeAsync("Author"));
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var question = await author.AskAsync("My own words");
        var version = await room.VersionAsync();

        await RoomClient.RefusedAsync("forbidden", () => other.EditQuestionAsync(question.Id, "Words put in my mouth"));
        await RoomClient.RefusedAsync("forbidden", () => other.WithdrawQuestionAsync(question.Id));

        var stored = await room.DbAsync(db => db.RoomQuestions.AsNoTracking().SingleAsync(q => q.Id == question.Id, Ct));
        Assert.Equal(("My own words", QuestionStatus.Open), (stored.Text, stored.Status));
        Assert.Equal(version, await room.VersionAsync());
    }

    [Fact]
    public async Task EditingOrWithdrawing_AnAnsweredQuestion_Closed()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var author = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var written = await author.AskAsync("Answered in writing");
        var live = await author.AskAsync("Answered out loud");
        await lecturer.AnswerQuestionAsync(written.Id, "Here it is.");
        await lecturer.ModerateQuestionAsync(live.Id, "answered-live");
        var version = await room.VersionAsync();

        foreach (var question in new[] { written, live })
        {
            await RoomClient.RefusedAsync("closed", () => author.EditQuestionAsync(question.Id, "Changed after the answer"));
            await RoomClient.RefusedAsync("closed", () => author.WithdrawQuestionAsync(question.Id));
        }

        Assert.Equal(version, await room.VersionAsync());
        var stored = await room.DbAsync(db => db.RoomQuestions.AsNoTracking().Where(q => q.SessionId == room.SessionId).ToListAsync(Ct));
        Assert.All(stored, q => Assert.Equal(QuestionStatus.Answered, q.Status));
        Assert.Equal(["Answered in writing", "Answered out loud"], stored.Select(q => q.Text).Order());
    }

    [Fact]
    public async Task UpvotingTwice_StoresOneVote()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var author = await room.JoinAsync(await room.TraineeAsync("Author"));
        var voter = await room.TraineeAsync("Voter");
        var voting = await room.JoinAsync(voter);
        var third = await room.JoinAsync(await room.TraineeAsync("Third"));
        var question = await author.AskAsync("Vote for me once");
        var version = await room.VersionAsync();

        await voting.UpvoteAsync(question.Id);
        await author.WaitForAsync("VotesChanged");
        await voting.UpvoteAsync(question.Id);
        await third.UpvoteAsync(question.Id);

        await author.WaitForAsync("VotesChanged", e => e.Arg<List<VoteCount>>(2).Single().Votes == 2);
        Assert.Equal(1, await room.DbAsync(db => db.QuestionVotes.CountAsync(v => v.QuestionId == question.Id && v.UserId == voter.UserId, Ct)));
        Assert.Equal(2, await room.DbAsync(db => db.RoomQuestions.Where(q => q.Id == question.Id).Select(q => q.Votes).SingleAsync(Ct)));
        // The repeated vote changed nothing, so it raised no version.
        Assert.Equal([version + 1, version + 2], author.Of("VotesChanged").Select(e => e.Version!.Value));
        Assert.Equal(version + 2, await room.VersionAsync());
    }

    [Fact]
    public async Task UpvotingOwnQuestion_Invalid()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var author = await room.JoinAsync(await room.TraineeAsync());
        var question = await author.AskAsync("Self-promotion");

        await RoomClient.RefusedAsync("invalid", () => author.UpvoteAsync(question.Id));

        Assert.False(await room.DbAsync(db => db.QuestionVotes.AnyAsync(v => v.QuestionId == question.Id, Ct)));
        Assert.Equal(0, await room.DbAsync(db => db.RoomQuestions.Where(q => q.Id == question.Id).Select(q => q.Votes).SingleAsync(Ct)));
    }

    [Fact]
    public async Task VotingInAPollTwice_StoresTheFirstVoteOnly()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var voter = await room.TraineeAsync();
        var trainee = await room.JoinAsync(voter);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var poll = await lecturer.OpenPollAsync("Once only", ["A", "B"]);

        await trainee.VotePollAsync(poll.Id, 0);
        await trainee.VotePollAsync(poll.Id, 1);

        var votes = await room.DbAsync(db => db.PollVotes.Where(v => v.PollId == poll.Id).ToListAsync(Ct));
        Assert.Equal((voter.UserId, 0b01), (Assert.Single(votes).UserId, votes[0].Choices));
        await lecturer.WaitForAsync("VotesChanged");
        var stored = await room.DbAsync(db => db.RoomPolls.AsNoTracking().SingleAsync(p => p.Id == poll.Id, Ct));
        Assert.Equal(("[1,0]", 1), (stored.CountsJson, stored.Voters));
        Assert.Equal([0], (await trainee.SyncAsync(-1))!.MyPollVotes[poll.Id]);
    }

    [Theory]
    [InlineData(new[] { 0, 1 })]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { 2 })]
    [InlineData(new[] { -1 })]
    [InlineData(new int[0])]
    public async Task VotingInASingleChoicePoll_WithOtherThanOneValidChoice_Invalid(int[] choices)
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var poll = await lecturer.OpenPollAsync("Just one", ["A", "B"]);

        await RoomClient.RefusedAsync("invalid", () => trainee.VotePollAsync(poll.Id, choices));

        Assert.False(await room.DbAsync(db => db.PollVotes.AnyAsync(v => v.PollId == poll.Id, Ct)));
    }

    [Fact]
    public async Task VotingInAClosedPoll_Closed()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var poll = await lecturer.OpenPollAsync("Too late", ["A", "B"]);
        await lecturer.ClosePollAsync(poll.Id);

        await RoomClient.RefusedAsync("closed", () => trainee.VotePollAsync(poll.Id, 0));

        Assert.False(await room.DbAsync(db => db.PollVotes.AnyAsync(v => v.PollId == poll.Id, Ct)));
    }

    [Theory]
    [InlineData("Ask", LiveLimits.QuestionLength)]
    [InlineData("EditQuestion", LiveLimits.QuestionLength)]
    [InlineData("SendChat", LiveLimits.ChatLength)]
    [InlineData("SetNotes", LiveLimits.NotesLength)]
    [InlineData("AnswerQuestion", LiveLimits.AnswerLength)]
    [InlineData("OpenPoll.question", LiveLimits.PollQuestionLength)]
    [InlineData("OpenPoll.option", LiveLimits.PollOptionLength)]
    public async Task TextLongerThanItsLimit_TooLong_AndTheLimitItselfIsAccepted(string method, int limit)
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var question = await trainee.AskAsync("Something to edit and answer");
        Func<string, Task> call = method switch
        {
            "Ask" => text => trainee.AskAsync(text),
            "EditQuestion" => text => trainee.EditQuestionAsync(question.Id, text),
            "SendChat" => text => trainee.SendChatAsync(text),
            "SetNotes" => lecturer.SetNotesAsync,
            "AnswerQuestion" => text => lecturer.AnswerQuestionAsync(question.Id, text),
            "OpenPoll.question" => text => lecturer.OpenPollAsync(text, ["A", "B"]),
            "OpenPoll.option" => text => lecturer.OpenPollAsync("Options", [text, "B"]),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
        var version = await room.VersionAsync();

        await RoomClient.RefusedAsync("too-long", () => call(new string('x', limit + 1)));
        Assert.Equal(version, await room.VersionAsync());

        // Surrounding white space does not count.
        await call("  " + new string('y', limit) + "\n");
        Assert.Equal(version + 1, await room.VersionAsync());
    }

    [Theory]
    [InlineData("Ask", "")]
    [InlineData("Ask", " \n\t ")]
    [InlineData("EditQuestion", "  ")]
    [InlineData("SendChat", "")]
    [InlineData("SendChat", "\u0007\u0008")]
    [InlineData("AnswerQuestion", " ")]
    [InlineData("OpenPoll.question", "")]
    [InlineData("OpenPoll.option", " ")]
    public async Task EmptyText_Invalid(string method, string text)
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var question = await trainee.AskAsync("Something to edit and answer");
        var version = await room.VersionAsync();

        await RoomClient.RefusedAsync("invalid", method switch
        {
            "Ask" => () => trainee.AskAsync(text),
            "EditQuestion" => () => trainee.EditQuestionAsync(question.Id, text),
            "SendChat" => () => trainee.SendChatAsync(text),
            "AnswerQuestion" => () => lecturer.AnswerQuestionAsync(question.Id, text),
            "OpenPoll.question" => () => lecturer.OpenPollAsync(text, ["A", "B"]),
            "OpenPoll.option" => () => lecturer.OpenPollAsync("Options", ["A", text]),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        });

        Assert.Equal(version, await room.VersionAsync());
        var stored = await room.DbAsync(db => db.RoomQuestions.AsNoTracking().SingleAsync(q => q.Id == question.Id, Ct));
        Assert.Equal(("Something to edit and answer", null), (stored.Text, stored.Answer));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    public async Task OpeningAPoll_WithoutTwoToTenOptions_Invalid(int options)
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var lecturer = await room.JoinAsync(room.Lecturer);

        await RoomClient.RefusedAsync("invalid", () => lecturer.OpenPollAsync("How many?", [.. Enumerable.Range(1, options).Select(i => $"Option {i}")]));

        Assert.False(await room.DbAsync(db => db.RoomPolls.AnyAsync(p => p.SessionId == room.SessionId, Ct)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(RoomHarness.DeckSlides + 1)]
    public async Task GoingToASlideOutsideTheDeck_Invalid(int slide)
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var version = await room.VersionAsync();

        await RoomClient.RefusedAsync("invalid", () => lecturer.GoToSlideAsync(slide));

        Assert.Equal(version, await room.VersionAsync());
    }

    [Fact]
    public async Task Asking_MoreThanFiveTimesAMinute_RateLimited_AndTheConnectionStillWorks()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));

        for (var i = 1; i <= 5; i++)
            await trainee.AskAsync($"Question number {i}");
        await RoomClient.RefusedAsync("rate-limited", () => trainee.AskAsync("Question number 6"));

        Assert.Equal(HubConnectionState.Connected, trainee.Hub.State);
        Assert.Equal("Still here", (await trainee.SendChatAsync("Still here")).Text);
        Assert.NotNull(await trainee.SyncAsync(-1));
        // The limit is the person's own: someone else may still ask.
        await other.AskAsync("My first question");
        Assert.Equal(6, await room.DbAsync(db => db.RoomQuestions.CountAsync(q => q.SessionId == room.SessionId, Ct)));
    }

    [Fact]
    public async Task MutedTrainee_CannotChat_Muted_AndStaffCannotBeMuted()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = await room.TraineeAsync();
        var trainee = await room.JoinAsync(person);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var coordinator = await room.JoinAsync(room.Coordinator);
        await lecturer.MuteParticipantAsync(person.UserId, muted: true);

        await RoomClient.RefusedAsync("muted", () => trainee.SendChatAsync("Let me speak"));
        await RoomClient.RefusedAsync("forbidden", () => lecturer.MuteParticipantAsync(room.Coordinator.UserId, muted: true));

        Assert.False(await room.DbAsync(db => db.ChatMessages.AnyAsync(m => m.SessionId == room.SessionId, Ct)));
        Assert.Equal("Coordinators may chat", (await coordinator.SendChatAsync("Coordinators may chat")).Text);
        // A muted trainee may still ask questions: muting is about the chat.
        await trainee.AskAsync("A question is not chat");
    }

    [Fact]
    public async Task CancelledSession_RefusesEverythingButJoinAndSync_Closed()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = await room.TraineeAsync();
        var trainee = await room.JoinAsync(person);
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var question = await other.AskAsync("Asked before the cancellation");
        var poll = await lecturer.OpenPollAsync("Opened before the cancellation", ["A", "B"]);
        var message = await other.SendChatAsync("Sent before the cancellation");
        var version = await room.VersionAsync();

        // Cancelled by the coordinator through the real edit page, which tells the room.
        var cancelled = await room.Coordinator.PostFormAsync($"/sessions/{room.SessionId}/edit",
            new Dictionary<string, string> { ["cancelled"] = "true" }, $"/sessions/{room.SessionId}/edit?handler=Cancel");
        Assert.Equal(HttpStatusCode.Redirect, cancelled.StatusCode);
        var changed = await trainee.WaitForAsync("SessionChanged");
        Assert.Equal(version + 1, changed.Version);
        Assert.Equal("cancelled", changed.Arg<SessionView>(2).Status);

        var refusals = new Dictionary<string, Func<Task>>
        {
            ["Ask"] = () => trainee.AskAsync("Is it still on?"),
            ["EditQuestion"] = () => other.EditQuestionAsync(question.Id, "Edited"),
            ["WithdrawQuestion"] = () => other.WithdrawQuestionAsync(question.Id),
            ["Upvote"] = () => trainee.UpvoteAsync(question.Id),
            ["VotePoll"] = () => trainee.VotePollAsync(poll.Id, 0),
            ["SendChat"] = () => trainee.SendChatAsync("Hello?"),
            ["RaiseHand"] = () => trainee.RaiseHandAsync(true),
            ["GoToSlide"] = () => lecturer.GoToSlideAsync(2),
            ["SetNotes"] = () => lecturer.SetNotesAsync("Notes"),
            ["ModerateQuestion"] = () => lecturer.ModerateQuestionAsync(question.Id, "pin"),
            ["AnswerQuestion"] = () => lecturer.AnswerQuestionAsync(question.Id, "Answer"),
            ["OpenPoll"] = () => lecturer.OpenPollAsync("New poll", ["A", "B"]),
            ["RevealPoll"] = () => lecturer.RevealPollAsync(poll.Id),
            ["ClosePoll"] = () => lecturer.ClosePollAsync(poll.Id),
            ["DeleteChat"] = () => lecturer.DeleteChatAsync(message.Id),
            ["MuteParticipant"] = () => lecturer.MuteParticipantAsync(person.UserId, true),
        };
        foreach (var (method, call) in refusals)
        {
            var refusal = await Record.ExceptionAsync(() => RoomClient.RefusedAsync("closed", call));
            Assert.True(refusal is null, $"{method}: {refusal?.Message}");
        }

        Assert.Equal(version + 1, await room.VersionAsync());
        Assert.False(await room.DbAsync(db => db.RoomMutes.AnyAsync(m => m.SessionId == room.SessionId, Ct)));
        Assert.False(await room.DbAsync(db => db.QuestionVotes.AnyAsync(v => v.QuestionId == question.Id, Ct)));
        // Join and Sync still answer, so the room can show its archive.
        var rejoined = await room.JoinAsync(person);
        Assert.Equal("cancelled", rejoined.Joined!.Session.Status);
        Assert.Equal(version + 1, rejoined.Joined.Version);
        Assert.Equal("cancelled", (await trainee.SyncAsync(version))!.Session.Status);
    }

    [Fact]
    public async Task NotJoined_SyncAndRaiseHand_NotJoined()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.ConnectAsync(await room.TraineeAsync());

        await RoomClient.RefusedAsync("not-joined", () => trainee.SyncAsync(0));
        await RoomClient.RefusedAsync("not-joined", () => trainee.RaiseHandAsync(true));

        Assert.False(await room.DbAsync(db => db.AttendanceVisits.AnyAsync(v => v.SessionId == room.SessionId, Ct)));
    }

    [Fact]
    public async Task AnotherRoomsQuestionPollOrMessage_NotFound()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        await using var elsewhere = await RoomHarness.CreateAsync(app);
        var theirTrainee = await elsewhere.JoinAsync(await elsewhere.TraineeAsync());
        var theirLecturer = await elsewhere.JoinAsync(elsewhere.Lecturer);
        var question = await theirTrainee.AskAsync("In the other room");
        var poll = await theirLecturer.OpenPollAsync("In the other room", ["A", "B"]);
        var message = await theirTrainee.SendChatAsync("In the other room");
        var lecturer = await room.JoinAsync(room.Lecturer);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var theirVersion = await elsewhere.VersionAsync();

        await RoomClient.RefusedAsync("not-found", () => lecturer.ModerateQuestionAsync(question.Id, "dismiss"));
        await RoomClient.RefusedAsync("not-found", () => lecturer.AnswerQuestionAsync(question.Id, "Answered from the wrong room"));
        await RoomClient.RefusedAsync("not-found", () => lecturer.ClosePollAsync(poll.Id));
        await RoomClient.RefusedAsync("not-found", () => lecturer.DeleteChatAsync(message.Id));
        await RoomClient.RefusedAsync("not-found", () => trainee.UpvoteAsync(question.Id));
        await RoomClient.RefusedAsync("not-found", () => trainee.VotePollAsync(poll.Id, 0));

        Assert.Equal(theirVersion, await elsewhere.VersionAsync());
        var stored = await room.DbAsync(db => db.RoomQuestions.AsNoTracking().SingleAsync(q => q.Id == question.Id, Ct));
        Assert.Equal((QuestionStatus.Open, null, 0), (stored.Status, stored.Answer, stored.Votes));
    }

    /// <summary>Whether a negotiate request gets a connection id.</summary>
    private async Task<bool> NegotiatesAsync(CookieContainer cookies, string? origin)
    {
        using var http = app.CreateDefaultClient(RoomHarness.BaseUri, new CookieContainerHandler(cookies));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/live/negotiate?negotiateVersion=1");
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        return response.IsSuccessStatusCode && body.Contains("\"connectionToken\"", StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpMethod method, string url, string origin)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
