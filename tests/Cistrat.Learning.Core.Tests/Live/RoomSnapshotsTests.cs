using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Tests.Content;

namespace Cistrat.Learning.Core.Tests.Live;

public sealed class RoomSnapshotsTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
    private readonly RoomSnapshots _snapshots;
    private int _reads;

    public RoomSnapshotsTests() => _snapshots = new RoomSnapshots(_clock);

    [Fact]
    public async Task CallersAtOneVersion_ShareOneRead()
    {
        var gate = new TaskCompletionSource<RoomShared>(TaskCreationOptions.RunContinuationsAsynchronously);
        var joins = Enumerable.Range(0, 50).Select(_ => _snapshots.SharedAsync(Session(1, 7), () =>
        {
            _reads++;
            return gate.Task;
        })).ToList();
        gate.SetResult(Shared("first"));

        var all = await Task.WhenAll(joins);
        Assert.Equal(1, _reads);
        Assert.All(all, s => Assert.Equal("first", s.Questions[0].Text));
    }

    [Fact]
    public async Task ANewerVersion_ReadsAgain_AndAnOlderOneIsServedTheNewerRead()
    {
        await _snapshots.SharedAsync(Session(1, 7), () => Read("at 7"));
        var newer = await _snapshots.SharedAsync(Session(1, 8), () => Read("at 8"));
        // A join that read version 7 just before the change: what it gets is at least that new.
        var late = await _snapshots.SharedAsync(Session(1, 7), () => Read("read again at 7"));

        Assert.Equal("at 8", newer.Questions[0].Text);
        Assert.Equal("at 8", late.Questions[0].Text);
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task RoomsAreKeptApart()
    {
        var one = await _snapshots.SharedAsync(Session(1, 7), () => Read("room 1"));
        var two = await _snapshots.SharedAsync(Session(2, 7), () => Read("room 2"));

        Assert.Equal("room 1", one.Questions[0].Text);
        Assert.Equal("room 2", two.Questions[0].Text);
    }

    [Fact]
    public async Task AtTheSameVersion_NamesAreReadAgainAfterTheSharedLife()
    {
        await _snapshots.SharedAsync(Session(1, 7), () => Read("before"));
        _clock.Advance(RoomSnapshots.SharedLife - TimeSpan.FromSeconds(1));
        var kept = await _snapshots.SharedAsync(Session(1, 7), () => Read("too soon"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var renewed = await _snapshots.SharedAsync(Session(1, 7), () => Read("renamed"));

        Assert.Equal("before", kept.Questions[0].Text);
        Assert.Equal("renamed", renewed.Questions[0].Text);
    }

    [Fact]
    public async Task AForgottenRoom_IsReadAgain_AtTheSameVersion()
    {
        await _snapshots.SharedAsync(Session(1, 7), () => Read("before the votes"));
        await _snapshots.SharedAsync(Session(2, 7), () => Read("another room"));
        _snapshots.Forget(1);

        var one = await _snapshots.SharedAsync(Session(1, 7), () => Read("with the votes"));
        var two = await _snapshots.SharedAsync(Session(2, 7), () => Read("read again"));
        Assert.Equal(("with the votes", "another room"), (one.Questions[0].Text, two.Questions[0].Text));
    }

    [Fact]
    public async Task AFailedRead_IsNotKept()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _snapshots.SharedAsync(Session(1, 7), () => Task.FromException<RoomShared>(new InvalidOperationException("database is locked"))));

        var retried = await _snapshots.SharedAsync(Session(1, 7), () => Read("retried"));
        Assert.Equal("retried", retried.Questions[0].Text);
    }

    [Fact]
    public async Task TheParticipantCount_IsKeptOneSecond()
    {
        var counts = new Queue<int>([3, 5]);
        Task<int> Count() => Task.FromResult(counts.Dequeue());

        var first = await _snapshots.ParticipantCountAsync(1, Count);
        _clock.Advance(RoomSnapshots.CountLife - TimeSpan.FromMilliseconds(1));
        var kept = await _snapshots.ParticipantCountAsync(1, Count);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var fresh = await _snapshots.ParticipantCountAsync(1, Count);

        Assert.Equal((3, 3, 5), (first, kept, fresh));
    }

    [Fact]
    public async Task ARoomNobodyJoined_IsDropped_WhenAnotherIsRead()
    {
        await _snapshots.SharedAsync(Session(1, 7), () => Read("ended lecture"));
        await _snapshots.SharedAsync(Session(2, 3), () => Read("long lecture"));
        _clock.Advance(RoomSnapshots.SharedLife - TimeSpan.FromSeconds(1));
        await _snapshots.SharedAsync(Session(2, 4), () => Read("long lecture, a question later"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await _snapshots.SharedAsync(Session(3, 1), () => Read("next lecture"));

        // Room 1 was last read a SharedLife ago; room 2 a second ago.
        Assert.Equal(2, _snapshots.KeptRooms);
    }

    [Fact]
    public async Task ASessionIdHandedOutAgain_IsNotServedTheDeletedSessionsRoom()
    {
        await _snapshots.SharedAsync(Session(1, 9), () => Read("deleted cohort's lecture"));
        var reused = new LiveSession { Id = 1, CohortId = 2, Title = "New lecture", CreatedById = "coord", CreatedAt = Created.AddDays(1) };

        var shared = await _snapshots.SharedAsync(reused, () => Read("new lecture"));

        Assert.Equal("new lecture", shared.Questions[0].Text);
    }

    private static readonly DateTime Created = new(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);

    private static LiveSession Session(int id, long version) =>
        new() { Id = id, CohortId = 1, Title = "Lecture", CreatedById = "coord", CreatedAt = Created, Version = version };

    private Task<RoomShared> Read(string text)
    {
        _reads++;
        return Task.FromResult(Shared(text));
    }

    private static RoomShared Shared(string text) => new(
        [new RoomQuestion { Id = 1, SessionId = 1, AuthorId = "author", Text = text }],
        [], [], new Dictionary<string, string> { ["author"] = "Amina" }, new HashSet<string>());
}
