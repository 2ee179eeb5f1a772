using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>Versions, coalesced counts and catching up: a client that follows the README holds the server's state.</summary>
public sealed class LiveHubSyncTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task SomeoneJoiningRightAfterAVote_SeesItsCount_BeforeTheCountIsAnnounced()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var asker = await room.JoinAsync(await room.TraineeAsync("Asker"));
        var question = await asker.AskAsync("Is the count fresh?");
        var voter = await room.JoinAsync(await room.TraineeAsync("Voter"));
        Assert.Equal(0, Assert.Single(voter.Joined!.Questions).Votes);
        var late = await room.ConnectAsync(await room.TraineeAsync("Late"));

        // The vote is stored when Upvote returns; the room's version is raised only at the next count announcement
        // (every 200 ms), so a snapshot kept for joiners at the current version must not be served with the old count.
        await voter.UpvoteAsync(question.Id);
        var snapshot = await late.JoinAsync();

        Assert.Equal(1, Assert.Single(snapshot.Questions).Votes);
    }

    [Fact]
    public async Task ManyUpvotesAndPollVotes_AreAnnouncedCoalesced_AndTheLastCountsAreTheDatabases()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var askers = new[] { await room.JoinAsync(await room.TraineeAsync("Asker 1")), await room.JoinAsync(await room.TraineeAsync("Asker 2")) };
        var voters = new List<RoomClient>();
        for (var i = 1; i <= 6; i++)
            voters.Add(await room.JoinAsync(await room.TraineeAsync($"Voter {i}")));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var questions = new List<QuestionView>();
        foreach (var asker in askers)
        {
            for (var i = 1; i <= 3; i++)
                questions.Add(await asker.AskAsync($"Question {i} of {asker.Person.Name}"));
        }

        var poll = await lecturer.OpenPollAsync("Which is best?", ["A", "B", "C"]);
        await lecturer.RevealPollAsync(poll.Id);
        var version = await room.VersionAsync();

        // Every voter upvotes every question and votes in the poll, all at once.
        var votes = voters.SelectMany(v => questions.Select(q => v.UpvoteAsync(q.Id)).Append(v.VotePollAsync(poll.Id, voters.IndexOf(v) % 3))).ToList();
        await Task.WhenAll(votes);
        // A vote of an asker for the other asker's questions, after the storm.
        await askers[0].UpvoteAsync(questions[^1].Id);

        var stored = await room.DbAsync(db => db.RoomQuestions.Where(q => q.SessionId == room.SessionId).ToDictionaryAsync(q => q.Id, q => q.Votes, Ct));
        Assert.Equal([.. questions.Select(q => q.Id == questions[^1].Id ? 7 : 6)], questions.Select(q => stored[q.Id]));
        var storedPoll = await room.DbAsync(db => db.RoomPolls.AsNoTracking().SingleAsync(p => p.Id == poll.Id, Ct));
        Assert.Equal(("[2,2,2]", 6), (storedPoll.CountsJson, storedPoll.Voters));

        foreach (var observer in new[] { lecturer, askers[1], voters[0] })
        {
            await Eventually.TrueAsync(
                () => Latest(observer).Questions.Count == questions.Count && Latest(observer).Questions.All(q => q.Value == stored[q.Key])
                      && Latest(observer).Poll?.Voters == 6,
                $"{observer.Person.Name} never saw the stored counts");
            var events = observer.Of("VotesChanged");
            Assert.Equal([.. Enumerable.Range(1, events.Count).Select(i => version + i)], events.Select(e => e.Version!.Value));
            Assert.True(events.Count < votes.Count + 1, $"{events.Count} VotesChanged events for {votes.Count + 1} votes");
            Assert.Equal([2, 2, 2], Latest(observer).Poll!.Counts);
        }

        Assert.Equal(version + lecturer.Of("VotesChanged").Count, await room.VersionAsync());
    }

    [Fact]
    public async Task AClientThatReconnects_AndJoinsWithItsOldVersion_EndsWithExactlyTheServersState()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var me = await room.TraineeAsync("Reconnecting");
        var bPerson = await room.TraineeAsync("B");
        var b = await room.JoinAsync(bPerson);
        var c = await room.JoinAsync(await room.TraineeAsync("C"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var mirror = new RoomMirror(staff: false);
        var first = await room.JoinAsync(me);
        mirror.Apply(first.Joined!);

        // While connected: events are applied one by one.
        var q1 = await b.AskAsync("First question");
        var mine = await first.AskAsync("My own question", anonymous: true);
        mirror.Asked(mine);
        await first.UpvoteAsync(q1.Id);
        mirror.Upvoted(q1.Id);
        await lecturer.GoToSlideAsync(2);
        var chat1 = await b.SendChatAsync("Hello all");
        await ConvergeAsync(room, first, mirror);
        Assert.True(mirror.EventsApplied > 0);
        var oldVersion = mirror.Version;

        await first.Hub.StopAsync(Ct);

        // While away: questions, votes, slides, notes, chat, polls.
        var q2 = await b.AskAsync("Asked while you were away");
        var q3 = await c.AskAsync("Anonymous, while you were away", anonymous: true);
        await c.UpvoteAsync(q2.Id);
        await c.UpvoteAsync(mine.Id);
        await lecturer.GoToSlideAsync(3);
        await lecturer.SetNotesAsync("Notes written while you were away");
        await b.SendChatAsync("Where did they go?");
        var poll = await lecturer.OpenPollAsync("Poll while away", ["Yes", "No"]);
        await b.VotePollAsync(poll.Id, 0);
        await lecturer.RevealPollAsync(poll.Id);
        await lecturer.DeleteChatAsync(chat1.Id);
        await lecturer.AnswerQuestionAsync(q1.Id, "Answered while you were away");
        await lecturer.ModerateQuestionAsync(q2.Id, "pin");
        await c.WithdrawQuestionAsync(q3.Id);
        await lecturer.WaitForAsync("VotesChanged", e => e.Arg<List<PollView>>(3).Any(p => p.Voters == 1));

        // Back: a new connection joins; Sync with the old version also says the room moved on.
        var second = await room.ConnectAsync(me, HttpTransportType.LongPolling);
        var rejoined = await second.JoinAsync();
        mirror.Reconnected();
        var synced = await second.SyncAsync(oldVersion);
        Assert.NotNull(synced);
        Assert.True(synced.Version > oldVersion);
        mirror.Apply(synced);
        mirror.Apply(rejoined);
        Assert.Equal(await room.VersionAsync(), mirror.Version);
        Assert.Null(await second.SyncAsync(mirror.Version));

        // And the room goes on, over the new connection.
        await second.UpvoteAsync(q2.Id);
        mirror.Upvoted(q2.Id);
        await second.VotePollAsync(poll.Id, 1);
        mirror.Voted(poll.Id, [1]);
        // Votes are stored at once but versioned when their counts go out (within 200 ms); until then a snapshot
        // may already hold them at the old version. Wait for the counts to be announced.
        await lecturer.WaitForAsync("VotesChanged", e => e.Arg<List<VoteCount>>(2).Any(v => v.QuestionId == q2.Id && v.Votes == 2));
        await lecturer.WaitForAsync("VotesChanged", e => e.Arg<List<PollView>>(3).Any(p => p.Voters == 2));
        mirror.Asked(await second.AskAsync("Back again"));
        await b.SendChatAsync("Welcome back");
        await lecturer.ClosePollAsync(poll.Id);
        await lecturer.GoToSlideAsync(4);
        await ConvergeAsync(room, second, mirror);

        var fresh = await room.JoinAsync(me);
        Assert.Equal(RoomMirror.StateOf(fresh.Joined!), mirror.State());
        Assert.Equal(4, mirror.Slide);
        Assert.Equal("Notes written while you were away", mirror.Notes);
        // Another trainee's fresh view agrees on everything that is not personal.
        var other = await room.JoinAsync(bPerson);
        Assert.Equal(Shared(RoomMirror.StateOf(fresh.Joined!)), Shared(RoomMirror.StateOf(other.Joined!)));
    }

    /// <summary>Applies events, calling Sync on a gap, until the client holds the room's current version.</summary>
    private static Task ConvergeAsync(RoomHarness room, RoomClient client, RoomMirror mirror) => Eventually.TrueAsync(
        async () =>
        {
            mirror.CatchUp(client);
            if (mirror.NeedsSync && await client.SyncAsync(mirror.Version) is { } snapshot)
                mirror.Apply(snapshot);
            return mirror.Version == await room.VersionAsync();
        },
        "the client stayed behind the room");

    private static (Dictionary<long, int> Questions, PollView? Poll) Latest(RoomClient client)
    {
        var questions = new Dictionary<long, int>();
        PollView? poll = null;
        foreach (var e in client.Of("VotesChanged").OrderBy(e => e.Version))
        {
            foreach (var count in e.Arg<List<VoteCount>>(2))
                questions[count.QuestionId] = count.Votes;
            poll = e.Arg<List<PollView>>(3).LastOrDefault() ?? poll;
        }

        return (questions, poll);
    }

    /// <summary>A state without what is one person's own (mine, my votes).</summary>
    private static string Shared(string state)
    {
        using var json = System.Text.Json.JsonDocument.Parse(state);
        var root = json.RootElement;
        return string.Join("\n", root.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("id") + ":" + q.GetProperty("text") + ":" + q.GetProperty("votes") + ":" + q.GetProperty("status")))
            + root.GetProperty("polls") + root.GetProperty("chat") + root.GetProperty("slide") + root.GetProperty("notes") + root.GetProperty("version");
    }
}
