using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>
/// Visits, presence and raised hands. These tests move the app's clock forward, so they have an app of their own
/// and put the clock back after each test.
/// </summary>
public sealed class LiveAttendanceTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync()
    {
        app.Clock.Reset();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task JoinThenDisconnect_RecordsAVisit_WithJoinedAtAndLeftAt()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = await room.TraineeAsync();
        var joinedAt = app.Clock.GetUtcNow().UtcDateTime;
        var client = await room.JoinAsync(person);
        var connectionId = client.Hub.ConnectionId;
        var open = await VisitsAsync(room, person, v => v.LeftAt == null);
        Assert.Equal(connectionId, Assert.Single(open).ConnectionId);
        Assert.InRange(open[0].JoinedAt, joinedAt, joinedAt + Slack);

        app.Clock.Advance(TimeSpan.FromMinutes(20));
        await client.Hub.StopAsync(Ct);

        var visit = Assert.Single(await VisitsAsync(room, person, v => v.LeftAt != null));
        Assert.Equal((room.SessionId, connectionId, false), (visit.SessionId, visit.ConnectionId, visit.HandRaised));
        Assert.InRange(visit.LeftAt!.Value - visit.JoinedAt, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(20) + Slack);
        var session = await room.DbAsync(db => db.LiveSessions.AsNoTracking().SingleAsync(s => s.Id == room.SessionId, Ct));
        Assert.InRange(Attendance.Attended([visit], session.StartsAt, session.EndsAt, app.Clock.GetUtcNow().UtcDateTime),
            TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(20) + Slack);
    }

    [Fact]
    public async Task ConcurrentConnectionsOfOnePerson_CountOnce()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = await room.TraineeAsync();
        var lecturer = await room.JoinAsync(room.Lecturer);
        var firstTab = await room.JoinAsync(person);
        var secondTab = await room.JoinAsync(person);
        await VisitsAsync(room, person, v => v.LeftAt == null, expected: 2);

        var participants = await lecturer.GetParticipantsAsync();
        var me = Assert.Single(participants, p => p.UserId == person.UserId);
        Assert.Equal(2, me.Connections);
        Assert.Equal(2, participants.Count);
        // A snapshot's count may be a second old (the joins above shared one read of it); PresenceChanged follows.
        app.Clock.Advance(RoomSnapshots.CountLife);
        Assert.Equal(2, (await lecturer.SyncAsync(-1))!.Participants);

        // First tab: 20 minutes; second tab: 30 minutes from the same start; a third tab from 25 to 35.
        app.Clock.Advance(TimeSpan.FromMinutes(20));
        await firstTab.Hub.StopAsync(Ct);
        await VisitsAsync(room, person, v => v.LeftAt != null, expected: 1);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var thirdTab = await room.JoinAsync(person);
        await VisitsAsync(room, person, v => v.LeftAt == null, expected: 2);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await secondTab.Hub.StopAsync(Ct);
        // The server notices a disconnection a moment after the client: wait for it before moving the clock on.
        await VisitsAsync(room, person, v => v.LeftAt != null, expected: 2);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await thirdTab.Hub.StopAsync(Ct);

        var visits = await VisitsAsync(room, person, v => v.LeftAt != null, expected: 3);
        Assert.Equal(3, visits.Select(v => v.ConnectionId).Distinct().Count());
        var session = await room.DbAsync(db => db.LiveSessions.AsNoTracking().SingleAsync(s => s.Id == room.SessionId, Ct));
        var sum = visits.Aggregate(TimeSpan.Zero, (total, v) => total + (v.LeftAt!.Value - v.JoinedAt));
        Assert.InRange(sum, TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(60) + Slack);
        Assert.InRange(Attendance.Attended(visits, session.StartsAt, session.EndsAt, app.Clock.GetUtcNow().UtcDateTime),
            TimeSpan.FromMinutes(35), TimeSpan.FromMinutes(35) + Slack);
    }

    [Fact]
    public async Task RaisedHand_ReachesStaff_ShowsInGetParticipants_AndIsLoweredWhenTheVisitEnds()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = await room.TraineeAsync("Curious");
        var trainee = await room.JoinAsync(person);
        var other = await room.JoinAsync(await room.TraineeAsync("Quiet"));
        var lecturer = await room.JoinAsync(room.Lecturer);
        var coordinator = await room.JoinAsync(room.Coordinator);
        await VisitsAsync(room, person, v => v.LeftAt == null);

        await trainee.RaiseHandAsync(true);

        foreach (var staff in new[] { lecturer, coordinator })
        {
            var hand = (await staff.WaitForAsync("HandChanged")).Arg<ParticipantView>(1);
            Assert.Equal((person.UserId, person.Name, "trainee", true, 1), (hand.UserId, hand.Name, hand.Role, hand.HandRaised, hand.Connections));
        }

        await other.DrainAsync();
        await trainee.DrainAsync();
        Assert.Empty(other.Of("HandChanged"));
        Assert.Empty(trainee.Of("HandChanged"));
        var participants = await lecturer.GetParticipantsAsync();
        Assert.Equal(person.UserId, participants[0].UserId);
        Assert.True(participants[0].HandRaised);
        Assert.All(participants.Skip(1), p => Assert.False(p.HandRaised));
        Assert.True(Assert.Single(await VisitsAsync(room, person, v => v.LeftAt == null)).HandRaised);

        await trainee.RaiseHandAsync(false);
        Assert.False((await lecturer.WaitForAsync("HandChanged", e => !e.Arg<ParticipantView>(1).HandRaised)).Arg<ParticipantView>(1).HandRaised);
        Assert.DoesNotContain(await lecturer.GetParticipantsAsync(), p => p.HandRaised);

        await trainee.RaiseHandAsync(true);
        await lecturer.WaitForAsync("HandChanged", e => e.Arg<ParticipantView>(1).HandRaised && lecturer.Of("HandChanged").Count == 3);
        await trainee.LeaveAsync();

        var ended = Assert.Single(await VisitsAsync(room, person, v => v.LeftAt != null));
        Assert.False(ended.HandRaised);
        Assert.DoesNotContain(await lecturer.GetParticipantsAsync(), p => p.UserId == person.UserId);
    }

    [Fact]
    public async Task GetParticipants_ListsWhoIsConnected_WithTheirRoles()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var person = await room.TraineeAsync("Zed Trainee");
        var trainee = await room.JoinAsync(person);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var coordinator = await room.JoinAsync(room.Coordinator);
        await room.ConnectAsync(await room.TraineeAsync("Not joined"));

        await Eventually.TrueAsync(async () => (await coordinator.GetParticipantsAsync()).Count == 3, "three participants");
        var participants = await coordinator.GetParticipantsAsync();

        (string, string)[] expected = [(room.Coordinator.UserId, "coordinator"), (room.Lecturer.UserId, "lecturer"), (person.UserId, "trainee")];
        Assert.Equal(expected.Order(), participants.Select(p => (p.UserId, p.Role)).Order());
        Assert.All(participants, p => Assert.Equal(1, p.Connections));
        Assert.Equal(person.Name, participants.Single(p => p.UserId == person.UserId).Name);
        await lecturer.WaitForAsync("PresenceChanged", e => e.Arg<int>(1) == 3);

        await trainee.Hub.StopAsync(Ct);

        await Eventually.TrueAsync(async () => (await lecturer.GetParticipantsAsync()).All(p => p.UserId != person.UserId), "the trainee left the list");
        await lecturer.WaitForAsync("PresenceChanged", e => e.Arg<int>(1) == 2 && lecturer.Of("PresenceChanged").Any(p => p.Arg<int>(1) == 3));
    }

    private static async Task<List<AttendanceVisit>> VisitsAsync(RoomHarness room, RoomPerson person, Func<AttendanceVisit, bool> match, int expected = 1)
    {
        List<AttendanceVisit> visits = [];
        await Eventually.TrueAsync(
            async () =>
            {
                visits = [.. (await room.DbAsync(db => db.AttendanceVisits.AsNoTracking().Where(v => v.SessionId == room.SessionId && v.UserId == person.UserId).ToListAsync(Ct))).Where(match)];
                return visits.Count == expected;
            },
            $"expected {expected} matching visits of {person.Name}");
        return visits;
    }
}
