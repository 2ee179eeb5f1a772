using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cistrat.Learning.Core.Live;

namespace Cistrat.Learning.Web.Tests.Live.Scaleout;

/// <summary>
/// The live room on two web nodes joined by a real redis-server (setting SignalR:Redis): events cross nodes, and
/// when Redis goes away for a while the database stays the source of truth and every client catches up with it.
/// </summary>
public sealed class BackplaneTests(ScaleoutCluster cluster) : IClassFixture<ScaleoutCluster>
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Shorter than the contract's 15 s, so the outage test runs in seconds; the rule is the same.</summary>
    private static readonly TimeSpan TestSyncInterval = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ask_OnNodeA_ReachesATraineeAndTheLecturerOnNodeB_AsQuestionChangedWithTheNextVersion()
    {
        var room = await cluster.CreateRoomAsync(trainees: 2);
        var from = NodeLog.Now;
        // No timer: what reaches node B's clients must come through the backplane.
        await using var asker = await cluster.ConnectAsync(cluster.A, room.Trainees[0], room.SessionId, Timeout.InfiniteTimeSpan);
        await using var trainee = await cluster.ConnectAsync(cluster.B, room.Trainees[1], room.SessionId, Timeout.InfiniteTimeSpan);
        await using var lecturer = await cluster.ConnectAsync(cluster.B, room.Lecturer, room.SessionId, Timeout.InfiniteTimeSpan);
        var before = (await cluster.DatabaseStateAsync(room.SessionId)).Version;

        var asking = NodeLog.Now;
        var asked = await asker.InvokeAsync<QuestionView>("Ask", [room.SessionId, "Does the backplane carry this question?", true], Ct);

        var version = (await cluster.DatabaseStateAsync(room.SessionId)).Version;
        Assert.Equal(before + 1, version);
        var traineeSaw = await WaitForEventAsync(trainee, "QuestionChanged", version, from);
        var lecturerSaw = await WaitForEventAsync(lecturer, "QuestionChanged", version, from);
        var toTrainee = Assert.IsType<QuestionView>(traineeSaw.Payload);
        var toLecturer = Assert.IsType<QuestionView>(lecturerSaw.Payload);
        Assert.Equal((asked.Id, "Does the backplane carry this question?", "open", false), (toTrainee.Id, toTrainee.Text, toTrainee.Status, toTrainee.Mine));
        Assert.Equal((asked.Id, "Does the backplane carry this question?", "open", false), (toLecturer.Id, toLecturer.Text, toLecturer.Status, toLecturer.Mine));
        // Asked anonymously: the two audiences went out as two group messages, each with its own view.
        Assert.Null(toTrainee.Author);
        Assert.Equal(room.Trainees[0].FullName, toLecturer.Author);
        foreach (var client in new[] { asker, trainee, lecturer })
        {
            Assert.Equal(version, client.State.Version);
            Assert.Equal(0, client.Gaps);
            Assert.Empty(client.Errors);
        }

        Report($"QuestionChanged v{version} reached node B {Ms(traineeSaw.At - asking)} (trainee) and {Ms(lecturerSaw.At - asking)} (lecturer) after Ask was called on node A");
    }

    [Fact]
    public async Task UpvoteStorm_AcrossBothNodes_EndsOnEveryClientWithTheDatabaseCounts()
    {
        const int trainees = 6;
        var room = await cluster.CreateRoomAsync(trainees);
        var from = NodeLog.Now;
        var clients = new List<RoomClient>();
        await using var disposer = new Clients(clients);
        for (var i = 0; i < trainees; i++)
            clients.Add(await cluster.ConnectAsync(i % 2 == 0 ? cluster.A : cluster.B, room.Trainees[i], room.SessionId, RoomClient.ContractSyncInterval));
        clients.Add(await cluster.ConnectAsync(cluster.A, room.Lecturer, room.SessionId, RoomClient.ContractSyncInterval));
        clients.Add(await cluster.ConnectAsync(cluster.B, room.Lecturer, room.SessionId, RoomClient.ContractSyncInterval));
        var traineeClients = clients.Take(trainees).ToList();

        // Four questions, asked on both nodes.
        var questions = new List<(long Id, int Author)>();
        foreach (var author in Enumerable.Range(0, 4))
            questions.Add(((await traineeClients[author].InvokeAsync<QuestionView>("Ask", [room.SessionId, $"Question of trainee {author}", false], Ct)).Id, author));

        // Every trainee upvotes every question but their own, twice, all at once across both nodes.
        var storm = Stopwatch.StartNew();
        await Task.WhenAll(
            from voter in Enumerable.Range(0, trainees)
            from q in questions
            where q.Author != voter
            from repeat in Enumerable.Range(1, 2)
            select traineeClients[voter].InvokeAsync("Upvote", [room.SessionId, q.Id], Ct));
        var stored = storm.Elapsed;

        var database = await cluster.DatabaseStateAsync(room.SessionId);
        Assert.All(database.Questions, q => Assert.Equal(trainees - 1, q.Votes));
        var converged = await WaitUntilConvergedAsync(room.SessionId, clients, from, EventTimeout);
        Report($"{questions.Count * (trainees - 1) * 2} upvotes over 2 nodes stored in {Ms(stored)}; all {clients.Count} clients showed the database's counts {Ms(converged)} later " +
               $"(gaps seen: {clients.Sum(c => c.Gaps)}, Sync calls: {clients.Sum(c => c.SyncCalls)}, VotesChanged received: {clients.Sum(c => c.Events.Count(e => e.Name == "VotesChanged"))})");
    }

    [Fact]
    public async Task RedisDown_CallsOnBothNodesSucceed_AndAfterItReturnsEveryClientEndsWithTheDatabaseState()
    {
        var room = await cluster.CreateRoomAsync(trainees: 4);
        var from = NodeLog.Now;
        var clients = new List<RoomClient>();
        await using var disposer = new Clients(clients);
        var lecturerA = await cluster.ConnectAsync(cluster.A, room.Lecturer, room.SessionId, TestSyncInterval);
        clients.Add(lecturerA);
        clients.Add(await cluster.ConnectAsync(cluster.B, room.Lecturer, room.SessionId, TestSyncInterval));
        var t = new RoomClient[4];
        for (var i = 0; i < t.Length; i++)
            clients.Add(t[i] = await cluster.ConnectAsync(i < 2 ? cluster.A : cluster.B, room.Trainees[i], room.SessionId, TestSyncInterval));
        var onB = clients.Where(c => c.Node == "B").ToList();

        var first = await t[2].InvokeAsync<QuestionView>("Ask", [room.SessionId, "Asked on B before the outage", false], Ct);
        await WaitUntilConvergedAsync(room.SessionId, clients, from, EventTimeout);

        await using var outage = await cluster.StopRedisAsync();
        var down = outage.Since;
        Report($"redis-server killed at +{down.TotalSeconds:0.000}s");

        // What a room does while the backplane is away, on both nodes at once. The database is the source of truth:
        // each call must succeed once its change is stored, whatever becomes of the broadcast.
        var calls = new List<Call>();
        await Task.WhenAll(LecturerOnA(), Trainee0OnA(), RunAsync(calls, t[1], "Upvote", "Upvote", room.SessionId, first.Id),
            RunAsync(calls, t[3], "Ask", "Ask", room.SessionId, "Asked on B while Redis was down", false));
        var callsDone = NodeLog.Now;

        // Every change was stored, whatever the calls answered.
        var during = await cluster.DatabaseStateAsync(room.SessionId);
        Assert.Equal((3, "Written while Redis was down"), (during.Slide, during.Notes));
        Assert.Equal(
            ["Asked on A while Redis was down: 0 votes", "Asked on B before the outage: 2 votes", "Asked on B while Redis was down: 0 votes"],
            during.Questions.Select(q => $"{q.Text}: {q.Votes} votes").Order(StringComparer.Ordinal));

        // Down "for a while": the nodes' clients keep calling Sync on their timers meanwhile.
        var downFor = TimeSpan.FromSeconds(3);
        if (NodeLog.Now - down < downFor)
            await Task.Delay(downFor - (NodeLog.Now - down), Ct);
        await cluster.Redis.StartAsync(Ct);
        var up = NodeLog.Now;
        Report($"redis-server started again at +{up.TotalSeconds:0.000}s, after {Ms(up - down)} down; calls while down took {Ms(callsDone - down)}:\n  " +
               string.Join("\n  ", calls.Select(c => c.ToString())));

        var problems = new StringBuilder();
        try
        {
            var converged = await WaitUntilConvergedAsync(room.SessionId, clients, from, ConvergeTimeout);
            Report($"every client showed the database's state {Ms(converged)} after redis-server came back " +
                   $"(gaps seen: {clients.Sum(c => c.Gaps)}, Sync calls: {clients.Sum(c => c.SyncCalls)}, snapshots taken after Join: {clients.Sum(c => c.SnapshotsTaken - 1)})");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            problems.AppendLine(e.Message);
        }

        // The backplane itself is back: a change on node A reaches node B's clients as an event, not through Sync.
        if (problems.Length == 0)
        {
            var back = await WaitForBackplaneAsync(room.SessionId, lecturerA, onB);
            if (back is null)
                problems.AppendLine(CultureInfo.InvariantCulture, $"No NotesChanged event from node A reached node B's clients within {ConvergeTimeout.TotalSeconds} s of redis-server's return.");
            else
                Report($"the backplane carried events from A to B again {Ms(back.Value - up)} after redis-server came back");
        }

        var failed = calls.Where(c => c.Error is not null).ToList();
        if (failed.Count > 0)
        {
            problems.AppendLine(CultureInfo.InvariantCulture, $"{failed.Count} of {calls.Count} hub calls failed while Redis was down, although their changes were stored:");
            foreach (var call in failed)
                problems.AppendLine("  " + call);
        }

        if (problems.Length > 0)
        {
            problems.AppendLine("Database: " + await cluster.DatabaseStateAsync(room.SessionId));
            problems.AppendLine("Server log since the outage (warnings, errors, hub and backplane messages):");
            problems.AppendLine(cluster.Logs(down));
            Assert.Fail(problems.ToString());
        }

        async Task LecturerOnA()
        {
            await RunAsync(calls, lecturerA, "GoToSlide(3)", "GoToSlide", room.SessionId, 3);
            await RunAsync(calls, lecturerA, "SetNotes", "SetNotes", room.SessionId, "Written while Redis was down");
        }

        async Task Trainee0OnA()
        {
            await RunAsync(calls, t[0], "Ask", "Ask", room.SessionId, "Asked on A while Redis was down", false);
            await RunAsync(calls, t[0], "Upvote", "Upvote", room.SessionId, first.Id);
        }
    }

    [Fact]
    public async Task RedisDown_UpvotesInTwoRoomsOnOneNode_AfterItReturnsEveryClientOfBothRoomsEndsWithTheDatabaseCounts()
    {
        // Vote counts are written by the node's RoomWriter and announced by its count loop, which raises each room's
        // version only when it announces that room: a room whose announcement is skipped keeps new counts under an
        // old version, and Sync (which compares versions) can never bring them to its clients.
        var first = await cluster.CreateRoomAsync(trainees: 3);
        var second = await cluster.CreateRoomAsync(trainees: 2);
        var from = NodeLog.Now;
        var clients = new List<RoomClient>();
        await using var disposer = new Clients(clients);
        var firstAuthor = await Connect(cluster.B, first.Trainees[0], first);
        var firstVoter1 = await Connect(cluster.A, first.Trainees[1], first);
        var firstVoter2 = await Connect(cluster.A, first.Trainees[2], first);
        var secondAuthor = await Connect(cluster.B, second.Trainees[0], second);
        var secondVoter = await Connect(cluster.A, second.Trainees[1], second);
        var q1 = await firstAuthor.InvokeAsync<QuestionView>("Ask", [first.SessionId, "First room's question", false], Ct);
        var q2 = await secondAuthor.InvokeAsync<QuestionView>("Ask", [second.SessionId, "Second room's question", false], Ct);
        var firstClients = clients.Where(c => c.SessionId == first.SessionId).ToList();
        var secondClients = clients.Where(c => c.SessionId == second.SessionId).ToList();
        await WaitUntilConvergedAsync(first.SessionId, firstClients, from, EventTimeout);
        await WaitUntilConvergedAsync(second.SessionId, secondClients, from, EventTimeout);

        await using var outage = await cluster.StopRedisAsync();
        var down = outage.Since;
        // One upvote, so that node A's count loop is busy announcing the first room while the next votes of both
        // rooms arrive; they are then announced together, one room after the other.
        var calls = new List<Call>();
        await RunAsync(calls, firstVoter1, "Upvote", "Upvote", first.SessionId, q1.Id);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        await Task.WhenAll(
            RunAsync(calls, firstVoter2, "Upvote", "Upvote", first.SessionId, q1.Id),
            RunAsync(calls, secondVoter, "Upvote", "Upvote", second.SessionId, q2.Id));
        Assert.All(calls, c => Assert.Null(c.Error));
        // Long enough for both announcements to fail, one after the other, also where each waits out
        // StackExchange.Redis's 5 s backlog timeout first.
        var downFor = TimeSpan.FromSeconds(16);
        if (NodeLog.Now - down < downFor)
            await Task.Delay(downFor - (NodeLog.Now - down), Ct);
        await cluster.Redis.StartAsync(Ct);
        var up = NodeLog.Now;
        Report($"redis-server down from +{down.TotalSeconds:0.000}s for {Ms(up - down)}; upvotes while down: {string.Join("; ", calls)}");

        Assert.Equal([2], (await cluster.DatabaseStateAsync(first.SessionId)).Questions.Select(q => q.Votes));
        Assert.Equal([1], (await cluster.DatabaseStateAsync(second.SessionId)).Questions.Select(q => q.Votes));
        var problems = new StringBuilder();
        await Task.WhenAll(new[] { (Room: first, Clients: firstClients), (Room: second, Clients: secondClients) }.Select(async r =>
        {
            try
            {
                await WaitUntilConvergedAsync(r.Room.SessionId, r.Clients, down, ConvergeTimeout);
                Report($"room {r.Room.SessionId}: every client showed the database's counts {Ms(NodeLog.Now - up)} after redis-server came back");
            }
            catch (Xunit.Sdk.XunitException e)
            {
                lock (problems)
                    problems.AppendLine(CultureInfo.InvariantCulture, $"Room {r.Room.SessionId}: {e.Message}");
            }
        }));
        if (problems.Length > 0)
            Assert.Fail(problems.ToString());

        async Task<RoomClient> Connect(ScaleoutNode node, Person person, Room room)
        {
            var client = await cluster.ConnectAsync(node, person, room.SessionId, TestSyncInterval);
            clients.Add(client);
            return client;
        }
    }

    private static async Task RunAsync(List<Call> calls, RoomClient client, string label, string method, params object?[] args)
    {
        var started = NodeLog.Now;
        var watch = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await client.InvokeAsync(method, args, timeout.Token);
        }
        catch (Exception e) when (e is Microsoft.AspNetCore.SignalR.HubException or OperationCanceledException or InvalidOperationException)
        {
            error = e;
        }

        lock (calls)
            calls.Add(new Call($"{client} (room {client.SessionId})", label, started, watch.Elapsed, error));
    }

    /// <summary>Waits until every client shows exactly what the database holds; returns how long that took.</summary>
    private async Task<TimeSpan> WaitUntilConvergedAsync(int sessionId, IReadOnlyList<RoomClient> clients, TimeSpan logsFrom, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var database = await cluster.DatabaseStateAsync(sessionId);
            if (clients.All(c => c.State.Matches(database)))
                return watch.Elapsed;
            if (watch.Elapsed > timeout)
            {
                var message = new StringBuilder();
                message.AppendLine(CultureInfo.InvariantCulture, $"Not every client showed the database's state within {timeout.TotalSeconds} s.");
                message.AppendLine("Database: " + database);
                foreach (var c in clients)
                {
                    message.AppendLine(CultureInfo.InvariantCulture, $"{(c.State.Matches(database) ? "  same" : "  DIFF")} {c}: {c.State} (gaps {c.Gaps}, Sync calls {c.SyncCalls}, snapshots {c.SnapshotsTaken}, events {c.Events.Count})");
                    foreach (var error in c.Errors)
                        message.AppendLine("      " + error);
                }

                if (clients.Any(c => c.State.Version == database.Version && !c.State.Matches(database)))
                {
                    message.AppendLine(
                        "A client holds the database's version with other content: the room changed in the database without its version " +
                        "being raised, so Sync (which compares versions) answers null and that client can never catch up.");
                }

                message.AppendLine("Server log (warnings, errors, hub and backplane messages):");
                message.AppendLine(cluster.Logs(logsFrom));
                throw new Xunit.Sdk.XunitException(message.ToString());
            }

            await Task.Delay(100, Ct);
        }
    }

    private async Task<RoomEvent> WaitForEventAsync(RoomClient client, string name, long version, TimeSpan logsFrom)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < EventTimeout)
        {
            if (client.Events.FirstOrDefault(e => e.Name == name && e.Version == version) is { } found)
                return found;
            await Task.Delay(20, Ct);
        }

        Assert.Fail($"{client} got no {name} v{version} within {EventTimeout.TotalSeconds} s; it got: " +
                    $"{string.Join(", ", client.Events.Select(e => $"{e.Name} v{e.Version}"))}\n{string.Join('\n', client.Errors)}\n{cluster.Logs(logsFrom)}");
        throw new UnreachableException();
    }

    /// <summary>Sets the notes on node A until a NotesChanged event with that version reaches every client on node B.</summary>
    private async Task<TimeSpan?> WaitForBackplaneAsync(int sessionId, RoomClient lecturerA, IReadOnlyList<RoomClient> onB)
    {
        var watch = Stopwatch.StartNew();
        for (var attempt = 1; watch.Elapsed < ConvergeTimeout; attempt++)
        {
            var calls = new List<Call>();
            await RunAsync(calls, lecturerA, "SetNotes", "SetNotes", sessionId, $"After the outage, attempt {attempt}");
            var version = (await cluster.DatabaseStateAsync(sessionId)).Version;
            var until = watch.Elapsed + TimeSpan.FromSeconds(1);
            while (watch.Elapsed < until)
            {
                var arrivals = onB.Select(c => c.Events.FirstOrDefault(e => e.Name == "NotesChanged" && e.Version == version)).ToList();
                if (arrivals.All(e => e is not null))
                    return arrivals.Max(e => e!.At);
                await Task.Delay(50, Ct);
            }
        }

        return null;
    }

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private static string Ms(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms");

    private sealed record Call(string Client, string Label, TimeSpan StartedAt, TimeSpan Took, Exception? Error)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Client} {Label} at +{StartedAt.TotalSeconds:0.000}s took {Took.TotalMilliseconds:0} ms: {(Error is null ? "ok" : $"{Error.GetType().Name}: {Error.Message}")}");
    }

    private sealed class Clients(List<RoomClient> clients) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }
}
