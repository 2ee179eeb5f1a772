using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>
/// Each hub method's success path against the real app: what it returns, what every other client of the room
/// receives (one version per change), and what the database holds afterwards.
/// </summary>
public sealed class LiveHubMethodTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Theory]
    [InlineData("trainee")]
    [InlineData("lecturer")]
    [InlineData("coordinator")]
    [InlineData("admin")]
    public async Task Join_ReturnsTheSnapshot_WithTheCallersRole_AndStartsAVisit(string role)
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = role switch
        {
            "trainee" => await room.TraineeAsync(),
            "lecturer" => room.Lecturer,
            "coordinator" => room.Coordinator,
            _ => await room.AdminAsync(),
        };
        var watcher = await room.JoinAsync(await room.TraineeAsync("Watcher"));

        var client = await room.ConnectAsync(person);
        var snapshot = await client.JoinAsync();

        Assert.Equal(room.SessionId, snapshot.SessionId);
        Assert.Equal(await room.VersionAsync(), snapshot.Version);
        Assert.Equal(role, snapshot.Role);
        Assert.Equal(1, snapshot.Slide);
        Assert.Equal("", snapshot.Notes);
        Assert.Equal("live", snapshot.Session.Status);
        Assert.Equal("markdown", snapshot.Session.Deck.Kind);
        Assert.Equal(RoomHarness.DeckSlides, snapshot.Session.Deck.Count);
        Assert.Equal("<h2>Slide 2</h2>", snapshot.Session.Deck.Slides[1]);
        Assert.Equal("https://meet.example.org/room", snapshot.Session.AvLink);
        Assert.Empty(snapshot.Questions);
        Assert.Empty(snapshot.Polls);
        Assert.Empty(snapshot.Chat);
        Assert.False(snapshot.Muted);

        await Eventually.TrueAsync(
            () => room.DbAsync(db => db.AttendanceVisits.AnyAsync(v => v.SessionId == room.SessionId && v.UserId == person.UserId && v.LeftAt == null, Ct)),
            "no open visit was recorded");
        // Presence is not versioned: the others learn the new count within a second or so.
        await watcher.WaitForAsync("PresenceChanged", e => e.Arg<int>(1) == 2);
    }

    [Fact]
    public async Task Sync_ReturnsNull_WhenCurrent_AndTheNewSnapshot_WhenTheRoomMovedOn()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var version = trainee.Joined!.Version;

        Assert.Null(await trainee.SyncAsync(version));

        await lecturer.GoToSlideAsync(4);
        await lecturer.SetNotesAsync("Notes for slide four");
        var synced = await trainee.SyncAsync(version);

        Assert.NotNull(synced);
        Assert.Equal(version + 2, synced.Version);
        Assert.Equal(4, synced.Slide);
        Assert.Equal("Notes for slide four", synced.Notes);
        Assert.Equal("trainee", synced.Role);
        Assert.Null(await trainee.SyncAsync(synced.Version));
    }

    [Fact]
    public async Task Leave_EndsTheVisit_AndTheConnectionNoLongerHearsTheRoom()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = await room.TraineeAsync();
        var leaving = await room.JoinAsync(person);
        var staying = await room.JoinAsync(await room.TraineeAsync("Staying"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        await VisitOpenAsync(room, person);

        await leaving.LeaveAsync();
        await lecturer.GoToSlideAsync(2);

        await staying.WaitForAsync("SlideChanged");
        await leaving.DrainAsync();
        Assert.Empty(leaving.Of("SlideChanged"));
        await Eventually.TrueAsync(
            () => room.DbAsync(db => db.AttendanceVisits.AnyAsync(v => v.UserId == person.UserId && v.LeftAt != null, Ct)),
            "the visit was not closed");
        Assert.Equal(1, await room.DbAsync(db => db.AttendanceVisits.CountAsync(v => v.UserId == person.UserId, Ct)));
    }

    [Fact]
    public async Task GoToSlide_AnnouncesTheSlide_ToEveryone_WithTheNextVersion()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var coordinator = await room.JoinAsync(room.Coordinator);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var version = await room.VersionAsync();

        await lecturer.GoToSlideAsync(3);
        await lecturer.GoToSlideAsync(RoomHarness.DeckSlides);

        foreach (var client in new[] { trainee, coordinator, lecturer })
        {
            await client.WaitForAsync("SlideChanged", e => e.Version == version + 2);
            Assert.Equal([(version + 1, 3), (version + 2, RoomHarness.DeckSlides)], client.Of("SlideChanged").Select(e => (e.Version!.Value, e.Arg<int>(2))));
            Assert.All(client.Of("SlideChanged"), e => Assert.Equal(room.SessionId, e.SessionId));
        }

        var session = await room.DbAsync(db => db.LiveSessions.AsNoTracking().SingleAsync(s => s.Id == room.SessionId, Ct));
        Assert.Equal(RoomHarness.DeckSlides, session.CurrentSlide);
        Assert.Equal(version + 2, session.Version);
    }

    [Fact]
    public async Task SetNotes_AnnouncesTheCleanedNotes_AndStoresThem()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var coordinator = await room.JoinAsync(room.Coordinator);
        var version = await room.VersionAsync();

        await coordinator.SetNotesAsync("  GERD/GDP\n<b>not bold</b>\u0007  ");

        var e = await trainee.WaitForAsync("NotesChanged");
        Assert.Equal(version + 1, e.Version);
        Assert.Equal("GERD/GDP\n<b>not bold</b>", e.Arg<string>(2));
        Assert.Equal("GERD/GDP\n<b>not bold</b>", await room.DbAsync(db => db.LiveSessions.Where(s => s.Id == room.SessionId).Select(s => s.Notes).SingleAsync(Ct)));
        Assert.Equal(version + 1, await room.VersionAsync());
        Assert.Equal("GERD/GDP\n<b>not bold</b>", (await trainee.SyncAsync(version))!.Notes);
    }

    [Fact]
    public async Task SetNotes_TakesTheLongestNotesInArabic_WithoutDroppingTheConnection()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var lecturer = await room.JoinAsync(room.Lecturer);
        // 20,000 characters of Arabic are about 40 KB of UTF-8, more than SignalR's default message limit.
        var notes = string.Concat(Enumerable.Repeat("مؤشرات الابتكار ", 1250))[..Cistrat.Learning.Core.Live.LiveLimits.NotesLength];

        await lecturer.SetNotesAsync(notes);

        Assert.Equal(notes.Trim(), await room.DbAsync(db => db.LiveSessions.Where(s => s.Id == room.SessionId).Select(s => s.Notes).SingleAsync(Ct)));
        await lecturer.SetNotesAsync("still connected");
    }

    [Fact]
    public async Task Ask_ReturnsTheQuestionAsMine_AndAnnouncesIt_WithTheAuthorsName()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var author = await room.TraineeAsync("Asker");
        var asker = await room.JoinAsync(author);
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var version = await room.VersionAsync();

        var asked = await asker.AskAsync("  Why is GERD divided by GDP?  ");

        Assert.True(asked.Mine);
        Assert.Equal("Why is GERD divided by GDP?", asked.Text);
        Assert.Equal(author.Name, asked.Author);
        Assert.Equal("open", asked.Status);
        Assert.Equal(0, asked.Votes);
        Assert.False(asked.Anonymous);
        foreach (var client in new[] { asker, other, lecturer })
        {
            var e = await client.WaitForAsync("QuestionChanged");
            var q = e.Arg<QuestionView>(2);
            Assert.Equal(version + 1, e.Version);
            Assert.Equal(asked with { Mine = false }, q);
        }

        var stored = await room.DbAsync(db => db.RoomQuestions.AsNoTracking().SingleAsync(q => q.Id == asked.Id, Ct));
        Assert.Equal((room.SessionId, author.UserId, "Why is GERD divided by GDP?", QuestionStatus.Open), (stored.SessionId, stored.AuthorId, stored.Text, stored.Status));
        Assert.Equal(version + 1, await room.VersionAsync());
    }

    [Fact]
    public async Task EditQuestion_ChangesTheText_AndAnnouncesIt()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var asker = await room.JoinAsync(await room.TraineeAsync());
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var asked = await asker.AskAsync("What is GRED?");
        var version = await room.VersionAsync();

        var edited = await asker.EditQuestionAsync(asked.Id, "What is GERD?");

        Assert.Equal("What is GERD?", edited.Text);
        Assert.True(edited.Mine);
        var e = await other.WaitForAsync("QuestionChanged", e => e.Version == version + 1);
        Assert.Equal("What is GERD?", e.Arg<QuestionView>(2).Text);
        Assert.Equal(asked.Id, e.Arg<QuestionView>(2).Id);
        Assert.Equal("What is GERD?", await room.DbAsync(db => db.RoomQuestions.Where(q => q.Id == asked.Id).Select(q => q.Text).SingleAsync(Ct)));
        Assert.Equal(version + 1, await room.VersionAsync());
    }

    [Fact]
    public async Task WithdrawQuestion_MarksItWithdrawn_AndDropsItFromSnapshots()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var asker = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var asked = await asker.AskAsync("Never mind this one");
        var version = await room.VersionAsync();

        await asker.WithdrawQuestionAsync(asked.Id);

        var e = await lecturer.WaitForAsync("QuestionChanged", e => e.Version == version + 1);
        Assert.Equal("withdrawn", e.Arg<QuestionView>(2).Status);
        Assert.Equal(QuestionStatus.Withdrawn, await room.DbAsync(db => db.RoomQuestions.Where(q => q.Id == asked.Id).Select(q => q.Status).SingleAsync(Ct)));
        Assert.Empty((await lecturer.SyncAsync(version))!.Questions);
    }

    [Fact]
    public async Task Upvote_IsStoredWhenItReturns_AndTheCountIsAnnouncedToEveryone()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var asker = await room.JoinAsync(await room.TraineeAsync());
        var voter = await room.TraineeAsync("Voter");
        var voting = await room.JoinAsync(voter);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var asked = await asker.AskAsync("Is R&D an investment?");
        var version = await room.VersionAsync();

        await voting.UpvoteAsync(asked.Id);

        Assert.True(await room.DbAsync(db => db.QuestionVotes.AnyAsync(v => v.QuestionId == asked.Id && v.UserId == voter.UserId, Ct)));
        foreach (var client in new[] { asker, voting, lecturer })
        {
            var e = await client.WaitForAsync("VotesChanged");
            Assert.Equal(version + 1, e.Version);
            Assert.Equal([new VoteCount(asked.Id, 1)], e.Arg<List<VoteCount>>(2));
            Assert.Empty(e.Arg<List<PollView>>(3));
        }

        Assert.Equal(1, await room.DbAsync(db => db.RoomQuestions.Where(q => q.Id == asked.Id).Select(q => q.Votes).SingleAsync(Ct)));
        Assert.Equal(version + 1, await room.VersionAsync());
        var snapshot = await voting.SyncAsync(version);
        Assert.Equal([asked.Id], snapshot!.MyVotes);
        Assert.Equal(1, Assert.Single(snapshot.Questions).Votes);
    }

    [Theory]
    [InlineData("approve", "open", false)]
    [InlineData("pin", "pending", true)]
    [InlineData("dismiss", "dismissed", false)]
    [InlineData("answered-live", "answered", false)]
    public async Task ModerateQuestion_AppliesTheAction_AndAnnouncesIt(string action, string status, bool pinned)
    {
        await using var room = await RoomHarness.CreateAsync(app, premoderation: true);
        var asker = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var asked = await asker.AskAsync("Pending until a moderator looks");
        Assert.Equal("pending", asked.Status);
        var version = await room.VersionAsync();

        await lecturer.ModerateQuestionAsync(asked.Id, action);

        foreach (var client in new[] { asker, lecturer })
        {
            var q = (await client.WaitForAsync("QuestionChanged", e => e.Version == version + 1)).Arg<QuestionView>(2);
            Assert.Equal((asked.Id, status, pinned), (q.Id, q.Status, q.Pinned));
        }

        var stored = await room.DbAsync(db => db.RoomQuestions.AsNoTracking().SingleAsync(q => q.Id == asked.Id, Ct));
        Assert.Equal((status, pinned), (stored.Status.ToString().ToLowerInvariant(), stored.Pinned));
        Assert.Equal(action == "answered-live", stored.AnsweredLive);
        Assert.Equal(action == "answered-live" ? room.Lecturer.UserId : null, stored.AnsweredById);
        Assert.Equal(version + 1, await room.VersionAsync());
    }

    [Fact]
    public async Task ModerateQuestion_Unpin_UnpinsAPinnedQuestion()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var asker = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var asked = await asker.AskAsync("Pin me, then unpin me");
        await lecturer.ModerateQuestionAsync(asked.Id, "pin");
        var version = await room.VersionAsync();

        await lecturer.ModerateQuestionAsync(asked.Id, "unpin");

        var q = (await asker.WaitForAsync("QuestionChanged", e => e.Version == version + 1)).Arg<QuestionView>(2);
        Assert.False(q.Pinned);
        Assert.True((await asker.WaitForAsync("QuestionChanged", e => e.Version == version)).Arg<QuestionView>(2).Pinned);
        Assert.False(await room.DbAsync(db => db.RoomQuestions.Where(x => x.Id == asked.Id).Select(x => x.Pinned).SingleAsync(Ct)));
    }

    [Fact]
    public async Task AnswerQuestion_StoresTheWrittenAnswer_AndAnnouncesIt()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var asker = await room.JoinAsync(await room.TraineeAsync());
        var coordinator = await room.JoinAsync(room.Coordinator);
        var asked = await asker.AskAsync("Which manual covers innovation surveys?");
        var version = await room.VersionAsync();

        await coordinator.AnswerQuestionAsync(asked.Id, "The Oslo Manual.");

        var q = (await asker.WaitForAsync("QuestionChanged", e => e.Version == version + 1)).Arg<QuestionView>(2);
        Assert.Equal(("answered", "The Oslo Manual.", false), (q.Status, q.Answer, q.AnsweredLive));
        Assert.NotNull(q.AnsweredAt);
        var stored = await room.DbAsync(db => db.RoomQuestions.AsNoTracking().SingleAsync(x => x.Id == asked.Id, Ct));
        Assert.Equal((QuestionStatus.Answered, "The Oslo Manual.", room.Coordinator.UserId), (stored.Status, stored.Answer, stored.AnsweredById));
        Assert.Equal(version + 1, await room.VersionAsync());
    }

    [Fact]
    public async Task OpenPoll_ReturnsThePollWithCounts_AndAnnouncesIt_WithoutCountsForTrainees()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var coordinator = await room.JoinAsync(room.Coordinator);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var version = await room.VersionAsync();

        var poll = await lecturer.OpenPollAsync(" Which indicator? ", ["GERD", "BERD", "HERD"], multiple: true);

        Assert.Equal(("Which indicator?", "open", true, false), (poll.Question, poll.Status, poll.Multiple, poll.Revealed));
        Assert.Equal(["GERD", "BERD", "HERD"], poll.Options);
        Assert.Equal([0, 0, 0], poll.Counts);
        Assert.Equal(0, poll.Voters);
        var forTrainee = (await trainee.WaitForAsync("PollChanged")).Arg<PollView>(2);
        Assert.Equal(version + 1, trainee.Of("PollChanged").Single().Version);
        Assert.Null(forTrainee.Counts);
        Assert.Null(forTrainee.Voters);
        Assert.Equal(poll.Id, forTrainee.Id);
        var forStaff = await coordinator.WaitForAsync("PollChanged");
        Assert.Equal(version + 1, forStaff.Version);
        Assert.Equal([0, 0, 0], forStaff.Arg<PollView>(2).Counts);
        var stored = await room.DbAsync(db => db.RoomPolls.AsNoTracking().SingleAsync(p => p.Id == poll.Id, Ct));
        Assert.Equal((room.SessionId, "Which indicator?", true, false), (stored.SessionId, stored.Question, stored.Multiple, stored.Closed));
        Assert.Equal(version + 1, await room.VersionAsync());
    }

    [Fact]
    public async Task VotePoll_IsStoredWhenItReturns_AndStaffSeeTheNewCounts()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var voter = await room.TraineeAsync();
        var trainee = await room.JoinAsync(voter);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var poll = await lecturer.OpenPollAsync("Pick two", ["A", "B", "C"], multiple: true);
        var version = await room.VersionAsync();

        await trainee.VotePollAsync(poll.Id, 0, 2);

        Assert.Equal(0b101, await room.DbAsync(db => db.PollVotes.Where(v => v.PollId == poll.Id && v.UserId == voter.UserId).Select(v => v.Choices).SingleAsync(Ct)));
        var forStaff = await lecturer.WaitForAsync("VotesChanged");
        Assert.Equal(version + 1, forStaff.Version);
        var counted = Assert.Single(forStaff.Arg<List<PollView>>(3));
        Assert.Equal([1, 0, 1], counted.Counts);
        Assert.Equal(1, counted.Voters);
        // Same version for trainees, but the unrevealed poll is left out.
        var forTrainee = await trainee.WaitForAsync("VotesChanged");
        Assert.Equal(version + 1, forTrainee.Version);
        Assert.Empty(forTrainee.Arg<List<PollView>>(3));
        var stored = await room.DbAsync(db => db.RoomPolls.AsNoTracking().SingleAsync(p => p.Id == poll.Id, Ct));
        Assert.Equal(("[1,0,1]", 1), (stored.CountsJson, stored.Voters));
        Assert.Equal([0, 2], (await trainee.SyncAsync(version))!.MyPollVotes[poll.Id]);
    }

    [Fact]
    public async Task RevealPoll_GivesTraineesTheCounts()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var poll = await lecturer.OpenPollAsync("Pick one", ["Yes", "No"]);
        await trainee.VotePollAsync(poll.Id, 1);
        await lecturer.WaitForAsync("VotesChanged");
        var version = await room.VersionAsync();

        await lecturer.RevealPollAsync(poll.Id);

        var revealed = (await trainee.WaitForAsync("PollChanged", e => e.Version == version + 1)).Arg<PollView>(2);
        Assert.True(revealed.Revealed);
        Assert.Equal([0, 1], revealed.Counts);
        Assert.Equal(1, revealed.Voters);
        Assert.True(await room.DbAsync(db => db.RoomPolls.Where(p => p.Id == poll.Id).Select(p => p.Revealed).SingleAsync(Ct)));
        Assert.Equal([0, 1], Assert.Single((await trainee.SyncAsync(version))!.Polls).Counts);
    }

    [Fact]
    public async Task ClosePoll_ClosesIt_AndKeepsItInTheRoom()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var poll = await lecturer.OpenPollAsync("Pick one", ["Yes", "No"]);
        var version = await room.VersionAsync();

        await lecturer.ClosePollAsync(poll.Id);

        var closed = (await trainee.WaitForAsync("PollChanged", e => e.Version == version + 1)).Arg<PollView>(2);
        Assert.Equal("closed", closed.Status);
        Assert.NotNull(closed.ClosedAt);
        var stored = await room.DbAsync(db => db.RoomPolls.AsNoTracking().SingleAsync(p => p.Id == poll.Id, Ct));
        Assert.True(stored.Closed);
        Assert.NotNull(stored.ClosedAt);
        Assert.Equal("closed", Assert.Single((await trainee.SyncAsync(version))!.Polls).Status);
    }

    [Fact]
    public async Task SendChat_ReturnsTheMessage_AndAnnouncesIt_WithTheAuthorIdForStaffOnly()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var author = await room.TraineeAsync("Chatty");
        var chatting = await room.JoinAsync(author);
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var version = await room.VersionAsync();

        var sent = await chatting.SendChatAsync(" Hello <everyone> ");

        Assert.Equal(("Hello <everyone>", author.Name, false), (sent.Text, sent.Author, sent.Staff));
        var forTrainee = await other.WaitForAsync("ChatReceived");
        Assert.Equal(version + 1, forTrainee.Version);
        Assert.Equal(sent with { AuthorId = null }, forTrainee.Arg<ChatView>(2));
        var forStaff = await lecturer.WaitForAsync("ChatReceived");
        Assert.Equal(version + 1, forStaff.Version);
        Assert.Equal(sent with { AuthorId = author.UserId }, forStaff.Arg<ChatView>(2));
        var stored = await room.DbAsync(db => db.ChatMessages.AsNoTracking().SingleAsync(m => m.Id == sent.Id, Ct));
        Assert.Equal((room.SessionId, author.UserId, "Hello <everyone>"), (stored.SessionId, stored.AuthorId, stored.Text));

        var staffMessage = await lecturer.SendChatAsync("Welcome");
        Assert.True(staffMessage.Staff);
        Assert.True((await other.WaitForAsync("ChatReceived", e => e.Version == version + 2)).Arg<ChatView>(2).Staff);
    }

    [Fact]
    public async Task DeleteChat_RemovesTheMessage_ForEveryone()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var sent = await trainee.SendChatAsync("Off-topic");
        var version = await room.VersionAsync();

        await lecturer.DeleteChatAsync(sent.Id);

        var e = await trainee.WaitForAsync("ChatDeleted");
        Assert.Equal((version + 1, sent.Id), (e.Version!.Value, e.Arg<long>(2)));
        var stored = await room.DbAsync(db => db.ChatMessages.AsNoTracking().SingleAsync(m => m.Id == sent.Id, Ct));
        Assert.NotNull(stored.DeletedAt);
        Assert.Equal(room.Lecturer.UserId, stored.DeletedById);
        Assert.Empty((await trainee.SyncAsync(version))!.Chat);
    }

    [Fact]
    public async Task MuteParticipant_TellsTheMutedPerson_AndUnmuteUndoesIt()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = await room.TraineeAsync();
        var trainee = await room.JoinAsync(person);
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var version = await room.VersionAsync();

        await lecturer.MuteParticipantAsync(person.UserId, muted: true);

        Assert.True((await trainee.WaitForAsync("MutedChanged")).Arg<bool>(1));
        Assert.True(await room.DbAsync(db => db.RoomMutes.AnyAsync(m => m.SessionId == room.SessionId && m.UserId == person.UserId && m.MutedById == room.Lecturer.UserId, Ct)));
        Assert.True((await trainee.SyncAsync(-1))!.Muted);

        await lecturer.MuteParticipantAsync(person.UserId, muted: false);

        Assert.False((await trainee.WaitForAsync("MutedChanged", e => !e.Arg<bool>(1))).Arg<bool>(1));
        Assert.False(await room.DbAsync(db => db.RoomMutes.AnyAsync(m => m.UserId == person.UserId, Ct)));
        await other.DrainAsync();
        Assert.Empty(other.Of("MutedChanged"));
        // Muting is not a change of the room's state.
        Assert.Equal(version, await room.VersionAsync());
    }

    private static Task VisitOpenAsync(RoomHarness room, RoomPerson person) => Eventually.TrueAsync(
        () => room.DbAsync(db => db.AttendanceVisits.AnyAsync(v => v.SessionId == room.SessionId && v.UserId == person.UserId && v.LeftAt == null, Ct)),
        $"no open visit of {person.Name}");
}
