using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>What trainees must not see, in events and in snapshots alike, while staff see all of it.</summary>
public sealed class LiveHubRedactionTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task AnonymousQuestion_HasNoAuthorForOtherTrainees_ButStaffAndTheAuthorSeeIt()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var author = await room.TraineeAsync("Shy");
        var asker = await room.JoinAsync(author);
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var admin = await room.JoinAsync(await room.AdminAsync());

        var asked = await asker.AskAsync("Is my question silly?", anonymous: true);
        await lecturer.AnswerQuestionAsync(asked.Id, "No.");

        Assert.Equal((author.Name, true, true), (asked.Author, asked.Anonymous, asked.Mine));
        foreach (var e in (await Both(other)).Select(e => e.Arg<QuestionView>(2)))
            Assert.Equal(("Is my question silly?", null, true), (e.Text, e.Author, e.Anonymous));
        foreach (var staff in new[] { lecturer, admin })
        {
            foreach (var e in (await Both(staff)).Select(e => e.Arg<QuestionView>(2)))
                Assert.Equal((author.Name, true), (e.Author, e.Anonymous));
        }

        // The author's own copy of the event is the trainees' view too: a client keeps its own ids.
        Assert.All(await Both(asker), e => Assert.Null(e.Arg<QuestionView>(2).Author));
        Assert.Null(Assert.Single((await other.SyncAsync(-1))!.Questions).Author);
        Assert.Equal(author.Name, Assert.Single((await lecturer.SyncAsync(-1))!.Questions).Author);
        Assert.Equal(author.Name, Assert.Single((await admin.SyncAsync(-1))!.Questions).Author);
        var own = Assert.Single((await asker.SyncAsync(-1))!.Questions);
        Assert.Equal((author.Name, true), (own.Author, own.Mine));
        Assert.True(await room.DbAsync(db => db.RoomQuestions.AnyAsync(q => q.Id == asked.Id && q.Anonymous && q.AuthorId == author.UserId, Ct)));

        async Task<IReadOnlyList<RoomEvent>> Both(RoomClient client)
        {
            await client.WaitForAsync("QuestionChanged", e => e.Arg<QuestionView>(2).Status == "answered");
            return client.Of("QuestionChanged");
        }
    }

    [Fact]
    public async Task PremoderatedQuestion_ReachesOtherTraineesWithoutText_UntilApproved()
    {
        await using var room = await RoomHarness.CreateAsync(app, premoderation: true);
        var author = await room.TraineeAsync("Author");
        var asker = await room.JoinAsync(author);
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var version = await room.VersionAsync();

        var asked = await asker.AskAsync("Is this appropriate?");

        Assert.Equal(("pending", "Is this appropriate?", author.Name), (asked.Status, asked.Text, asked.Author));
        var hidden = (await other.WaitForAsync("QuestionChanged")).Arg<QuestionView>(2);
        Assert.Equal((asked.Id, "pending", null, null), (hidden.Id, hidden.Status, hidden.Text, hidden.Author));
        Assert.Equal(version + 1, other.Of("QuestionChanged").Single().Version);
        var forStaff = (await lecturer.WaitForAsync("QuestionChanged")).Arg<QuestionView>(2);
        Assert.Equal(("Is this appropriate?", author.Name), (forStaff.Text, forStaff.Author));
        Assert.Empty((await other.SyncAsync(-1))!.Questions);
        Assert.Equal("Is this appropriate?", Assert.Single((await asker.SyncAsync(-1))!.Questions).Text);
        Assert.Equal("Is this appropriate?", Assert.Single((await lecturer.SyncAsync(-1))!.Questions).Text);
        await RoomClient.RefusedAsync("closed", () => other.UpvoteAsync(asked.Id));

        await lecturer.ModerateQuestionAsync(asked.Id, "approve");

        var approved = (await other.WaitForAsync("QuestionChanged", e => e.Version == version + 2)).Arg<QuestionView>(2);
        Assert.Equal(("open", "Is this appropriate?", author.Name), (approved.Status, approved.Text, approved.Author));
        Assert.Equal("Is this appropriate?", Assert.Single((await other.SyncAsync(-1))!.Questions).Text);
        await other.UpvoteAsync(asked.Id);
        Assert.Equal(QuestionStatus.Open, await room.DbAsync(db => db.RoomQuestions.Where(q => q.Id == asked.Id).Select(q => q.Status).SingleAsync(Ct)));
    }

    [Fact]
    public async Task DismissedQuestion_LeavesTraineesSnapshots_ButNotStaffs()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var asker = await room.JoinAsync(await room.TraineeAsync());
        var lecturer = await room.JoinAsync(room.Lecturer);
        var asked = await asker.AskAsync("Off-topic question");

        await lecturer.ModerateQuestionAsync(asked.Id, "dismiss");

        Assert.Empty((await asker.SyncAsync(-1))!.Questions);
        Assert.Equal("dismissed", Assert.Single((await lecturer.SyncAsync(-1))!.Questions).Status);
    }

    [Fact]
    public async Task PollCounts_AreNullForTrainees_UntilRevealed()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var first = await room.JoinAsync(await room.TraineeAsync("First"));
        var second = await room.JoinAsync(await room.TraineeAsync("Second"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var poll = await lecturer.OpenPollAsync("Which manual?", ["Oslo", "Frascati", "Canberra"]);
        var opened = (await first.WaitForAsync("PollChanged")).Arg<PollView>(2);
        Assert.Equal((null, null, false), (opened.Counts, opened.Voters, opened.Revealed));

        await first.VotePollAsync(poll.Id, 1);
        await second.VotePollAsync(poll.Id, 1);

        await lecturer.WaitForAsync("VotesChanged", e => e.Arg<List<PollView>>(3).Any(p => p.Voters == 2));
        Assert.All(lecturer.Of("VotesChanged"), e => Assert.NotNull(Assert.Single(e.Arg<List<PollView>>(3)).Counts));
        await first.WaitForAsync("VotesChanged", e => e.Version == lecturer.Of("VotesChanged")[^1].Version);
        Assert.All(first.Of("VotesChanged"), e => Assert.Empty(e.Arg<List<PollView>>(3)));
        var hidden = Assert.Single((await first.SyncAsync(-1))!.Polls);
        Assert.Equal((null, null), (hidden.Counts, hidden.Voters));
        Assert.Equal([0, 2, 0], Assert.Single((await lecturer.SyncAsync(-1))!.Polls).Counts);

        await lecturer.RevealPollAsync(poll.Id);

        var revealed = (await second.WaitForAsync("PollChanged", e => e.Arg<PollView>(2).Revealed)).Arg<PollView>(2);
        Assert.Equal([0, 2, 0], revealed.Counts);
        Assert.Equal(2, revealed.Voters);
        Assert.Equal([0, 2, 0], Assert.Single((await second.SyncAsync(-1))!.Polls).Counts);
        // From now on trainees get the poll's counts with each batch of votes.
        var third = await room.JoinAsync(await room.TraineeAsync("Third"));
        await third.VotePollAsync(poll.Id, 0);
        var counted = await first.WaitForAsync("VotesChanged", e => e.Arg<List<PollView>>(3).Count == 1);
        Assert.Equal([1, 2, 0], counted.Arg<List<PollView>>(3)[0].Counts);
    }

    [Fact]
    public async Task ChatAuthorIds_AreForStaffOnly()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var author = await room.TraineeAsync();
        var trainee = await room.JoinAsync(author);
        var other = await room.JoinAsync(await room.TraineeAsync("Other"));
        var coordinator = await room.JoinAsync(room.Coordinator);

        await trainee.SendChatAsync("Who am I?");

        Assert.Null((await other.WaitForAsync("ChatReceived")).Arg<ChatView>(2).AuthorId);
        Assert.Equal(author.UserId, (await coordinator.WaitForAsync("ChatReceived")).Arg<ChatView>(2).AuthorId);
        Assert.Null(Assert.Single((await other.SyncAsync(-1))!.Chat).AuthorId);
        Assert.Equal(author.UserId, Assert.Single((await coordinator.SyncAsync(-1))!.Chat).AuthorId);
    }
}
