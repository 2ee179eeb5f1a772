using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Data.Sqlite;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// The upvote storm: one trainee asks, every other trainee upvotes within <see cref="StormResult.Spread"/>. Votes
/// persisted per second run from the first vote sent to the moment the database holds them all (read from the
/// SQLite file, not from the server's answers); convergence is every client's count, from the events it received,
/// being the database's count.
/// </summary>
internal sealed record StormResult(
    int Voters,
    TimeSpan Spread,
    TimeSpan SendSpan,
    int Acknowledged,
    int Refused,
    IReadOnlyList<string> RefusalExamples,
    int RowsStored,
    int CountStored,
    TimeSpan? AllPersisted,
    TimeSpan? CountUpdated,
    TimeSpan AckP50,
    TimeSpan AckP99,
    int Clients,
    int Converged,
    TimeSpan? ConvergedAfter,
    double MeanVoteEvents,
    ResourceUse Resources)
{
    /// <summary>How long after the database held every vote each client must show its count.</summary>
    public static readonly TimeSpan ConvergenceWindow = TimeSpan.FromSeconds(5);

    public double? PersistedPerSecond => AllPersisted is { } t && RowsStored > 0 ? RowsStored / t.TotalSeconds : null;

    public bool AllConverged => Converged == Clients && RowsStored == Voters && CountStored == Voters;
}

/// <summary>The live room at one N: the same slide changes as the baseline, then the upvote storm.</summary>
/// <remarks>
/// The JIT figures are the CPU time of the server's tiered-compilation thread while the slides changed and during the
/// storm: above a few milliseconds, part of what was measured was the JIT, not the room.
/// </remarks>
internal sealed record RoomMeasurement(WarmUp WarmUp, TimeSpan SlidesJit, TimeSpan StormJit, FanOutMeasurement Slides, StormResult Storm);

/// <summary>
/// N trainees and the lecturer in the live room of a fresh server process (on the data prepared by
/// <see cref="RoomSetup"/>), each on its own WebSocket with its own sign-in cookie.
/// </summary>
internal static class RoomLoad
{
    /// <summary>How many clients connect, or close, at a time: the room's trainees and the bare fan-out's alike.</summary>
    public const int ConnectParallelism = 32;
    /// <summary>Of the N who join in the warm-up, how many also change slides, ask and vote in its rounds.</summary>
    private const int WarmUpActiveClients = 100;

    public static async Task<RoomMeasurement> RunAsync(
        RepoLayout repo, DirectoryInfo dataFolder, RoomSetup setup, string demoPassword, int clients, SlidePlan plan, TimeSpan voteSpread, CancellationToken ct)
    {
        await using var server = await ServerProcess.StartAsync(repo, demoPassword, dataFolder, TimeSpan.FromMinutes(2), ct);
        await using var sampler = new ResourceSampler(server);
        var (lecturer, snapshot) = await RoomClient.JoinAsync(server.BaseAddress, setup.LecturerCookie, setup.SessionId, ct);
        await using var lecturerLifetime = lecturer;
        if (snapshot.Role != "lecturer")
            throw new BenchmarkException($"{RoomSetup.LecturerEmail} joined the room as '{snapshot.Role}', not as its lecturer.");

        var warmUp = await WarmUpAsync(server, setup, lecturer, clients, ct);
        var before = await SettledMemory.ReadAsync(server, ct);

        // Half, a reading, then the other half: see FanOutMeasurement.MarginalBytesPerConnection.
        var half = clients / 2;
        var connectStart = Stopwatch.GetTimestamp();
        var (trainees, errors) = await JoinAllAsync(server.BaseAddress, setup, 0, half, ct);
        var connectTime = Stopwatch.GetElapsedTime(connectStart);
        try
        {
            if (trainees.Count == 0)
                throw new BenchmarkException($"No trainee could join the room: {string.Join("; ", errors.Distinct().Take(3))}");
            var middle = await SettledMemory.ReadAsync(server, ct);
            connectStart = Stopwatch.GetTimestamp();
            var (rest, moreErrors) = await JoinAllAsync(server.BaseAddress, setup, half, clients - half, ct);
            connectTime += Stopwatch.GetElapsedTime(connectStart);
            trainees.AddRange(rest);
            errors.AddRange(moreErrors);
            var after = await SettledMemory.ReadAsync(server, ct);
            server.TieredCompilationCpuSinceLastCall();
            var (slides, slideResources) = await ChangeSlidesAsync(setup, lecturer, trainees, plan, sampler, ct);
            var slidesJit = server.TieredCompilationCpuSinceLastCall();
            var storm = await StormAsync(server, setup, lecturer, trainees, voteSpread, sampler, ct);
            var stormJit = server.TieredCompilationCpuSinceLastCall();
            return new RoomMeasurement(warmUp, slidesJit, stormJit,
                new FanOutMeasurement(
                    clients, connectTime, errors.Count, [.. errors.Distinct().Take(5)], before, half, middle, after,
                    slides, slideResources, trainees.Count(t => t.Dropped)),
                storm);
        }
        finally
        {
            await DisposeAllAsync(trainees);
        }
    }

    /// <summary>
    /// All N trainees join once and leave again before anything is read or timed, and the first of them see slide
    /// changes, ask and upvote: the JIT has compiled the paths, and the pools that a join burst grows and hands back only
    /// slowly (Kestrel's blocks, SQLite's connections, the thread pool) stand at their high-water mark, as on a server
    /// that has held a room before. What the connections of the measured round then add is what they hold.
    /// </summary>
    private static async Task<WarmUp> WarmUpAsync(ServerProcess server, RoomSetup setup, RoomClient lecturer, int count, CancellationToken ct)
    {
        const int MaxRounds = 10;
        var (joined, errors) = await JoinAllAsync(server.BaseAddress, setup, 0, count, ct);
        var warm = joined.Take(WarmUpActiveClients).ToList();
        try
        {
            if (warm.Count < 2)
                throw new BenchmarkException($"Trainees could not join the room to warm it up: {string.Join("; ", errors.Distinct().Take(3))}");
            var started = Stopwatch.GetTimestamp();
            server.TieredCompilationCpuSinceLastCall();
            // Rounds until the tiered JIT has settled: a method is recompiled optimised only after it was called often
            // enough and the JIT went quiet, which one short round does not give the upvote path.
            for (var round = 1; ; round++)
            {
                var roundStart = Stopwatch.GetTimestamp();
                for (var i = 0; i < 5; i++)
                {
                    await lecturer.InvokeAsync("GoToSlide", [setup.SessionId, (i % setup.SlideCount) + 1], ct);
                    await Task.Delay(100, ct);
                }

                // A new asker each round: asking is limited to 5 a minute per person.
                var asker = warm[^round];
                var question = await asker.InvokeAsync<QuestionHead>("Ask", [setup.SessionId, $"Warm-up question {round}: is the room ready?", false], ct);
                await ApproveIfPendingAsync(setup, lecturer, question, ct);
                await Task.WhenAll(warm.Where(t => t != asker).Select(t => t.InvokeAsync("Upvote", [setup.SessionId, question.Id], ct)));
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                var jit = server.TieredCompilationCpuSinceLastCall();
                if (jit < Stopwatch.GetElapsedTime(roundStart) * 0.01 || round == MaxRounds || round == warm.Count - 1)
                    return new WarmUp(round, Stopwatch.GetElapsedTime(started) / round, jit);
            }
        }
        finally
        {
            await DisposeAllAsync(joined);
        }
    }

    /// <summary>Closes <paramref name="clients"/>, <see cref="ConnectParallelism"/> at a time.</summary>
    public static Task DisposeAllAsync<T>(IEnumerable<T> clients)
        where T : IAsyncDisposable =>
        Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism }, async (client, _) => await client.DisposeAsync());

    /// <summary>Trainees <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 connect and join.</summary>
    private static async Task<(List<RoomClient> Clients, List<string> Errors)> JoinAllAsync(Uri baseAddress, RoomSetup setup, int first, int count, CancellationToken ct)
    {
        var clients = new RoomClient?[count];
        var errors = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = ct }, async (i, token) =>
        {
            try
            {
                var (client, snapshot) = await RoomClient.JoinAsync(baseAddress, setup.TraineeCookies[first + i], setup.SessionId, token);
                if (snapshot.Role == "trainee")
                {
                    clients[i] = client;
                    return;
                }

                await client.DisposeAsync();
                lock (errors)
                    errors.Add($"joined as '{snapshot.Role}', not as a trainee");
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                // A trainee who cannot join is counted and shown; the run goes on with the others.
                lock (errors)
                    errors.Add($"{e.GetType().Name}: {e.Message}");
            }
        });
        return ([.. clients.OfType<RoomClient>()], errors);
    }

    private static async Task<(DeliveryStats Stats, ResourceUse Resources)> ChangeSlidesAsync(
        RoomSetup setup, RoomClient lecturer, List<RoomClient> trainees, SlidePlan plan, ResourceSampler sampler, CancellationToken ct)
    {
        lecturer.ForgetSlides();
        var sentAt = new long[plan.Total];
        var start = Stopwatch.GetTimestamp();
        for (var change = 0; change < plan.Total; change++)
        {
            await Ticks.WaitUntilAsync(start + (change * Ticks.Of(plan.Interval)), ct);
            sentAt[change] = Stopwatch.GetTimestamp();
            await lecturer.InvokeAsync("GoToSlide", [setup.SessionId, (change % setup.SlideCount) + 1], ct);
        }

        await Ticks.WaitForAsync(() => trainees.All(t => t.SlideCount() >= plan.Total), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50), ct);
        var end = Stopwatch.GetTimestamp();

        // Each GoToSlide raised the room's version by one, in the order sent: the n-th version seen is the n-th change.
        var versions = trainees.Append(lecturer).SelectMany(t => t.Slides()).Select(s => s.Version).Distinct().Order().ToList();
        if (versions.Count != plan.Total)
            throw new BenchmarkException($"{plan.Total} slide changes were sent but clients saw {versions.Count} distinct versions.");
        var changeOf = versions.Select((version, index) => (version, index)).ToDictionary(v => v.version, v => v.index);
        var received = trainees.Select(t =>
        {
            var at = new long[plan.Total];
            foreach (var (version, when) in t.Slides())
            {
                if (at[changeOf[version]] == 0)
                    at[changeOf[version]] = when;
            }

            return at;
        }).ToList();
        return (DeliveryStats.From(sentAt, received, plan.WarmUpChanges), sampler.Summarize(start, sentAt[plan.WarmUpChanges], end));
    }

    private static async Task<StormResult> StormAsync(
        ServerProcess server, RoomSetup setup, RoomClient lecturer, List<RoomClient> trainees, TimeSpan spread, ResourceSampler sampler, CancellationToken ct)
    {
        var question = await trainees[0].InvokeAsync<QuestionHead>("Ask", [setup.SessionId, "Which of these policies worked in your country?", false], ct);
        await ApproveIfPendingAsync(setup, lecturer, question, ct);
        var everyone = trainees.Append(lecturer).ToList();
        foreach (var client in everyone)
            client.Watch(question.Id);
        // The question reaches everyone before the first vote.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);

        var voters = trainees.Skip(1).ToArray();
        var sentAt = new long[voters.Length];
        var ackedAt = new long[voters.Length];
        var refusals = new List<string>();
        var votes = new Task[voters.Length];
        var acknowledged = 0;
        var allAnswered = false;
        using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stopPolling.CancelAfter(TimeSpan.FromMinutes(2));
        // Until every call has been answered the target is every voter; after that, the votes the server accepted.
        var polling = PollStoredAsync(
            RoomSetup.DatabasePath(server.DataFolder!), question.Id,
            () => Volatile.Read(ref allAnswered) ? Volatile.Read(ref acknowledged) : voters.Length, stopPolling.Token);

        const int Slots = 100;
        var start = Stopwatch.GetTimestamp();
        for (var slot = 0; slot < Slots; slot++)
        {
            await Ticks.WaitUntilAsync(start + (slot * Ticks.Of(spread) / Slots), ct);
            for (var i = slot * voters.Length / Slots; i < (slot + 1) * voters.Length / Slots; i++)
            {
                sentAt[i] = Stopwatch.GetTimestamp();
                votes[i] = VoteAsync(i);
            }
        }

        var lastSent = Stopwatch.GetTimestamp();
        await Task.WhenAll(votes).WaitAsync(TimeSpan.FromMinutes(2), ct);
        Volatile.Write(ref allAnswered, true);
        var stored = await polling;

        var converged = await Ticks.WaitForAsync(() => everyone.All(c => c.Votes == stored.Count), StormResult.ConvergenceWindow, TimeSpan.FromMilliseconds(20), ct);
        var end = Stopwatch.GetTimestamp();
        var acks = Enumerable.Range(0, voters.Length).Where(i => ackedAt[i] != 0).Select(i => ackedAt[i] - sentAt[i]).Order().ToArray();
        return new StormResult(
            voters.Length, spread, Stopwatch.GetElapsedTime(start, lastSent), acknowledged, refusals.Count, [.. refusals.Distinct().Take(5)],
            stored.Rows, stored.Count,
            stored.RowsAt is { } rowsAt ? Stopwatch.GetElapsedTime(start, rowsAt) : null,
            stored.CountAt is { } countAt ? Stopwatch.GetElapsedTime(start, countAt) : null,
            Ticks.Percentile(acks, 0.50), Ticks.Percentile(acks, 0.99),
            everyone.Count, everyone.Count(c => c.Votes == stored.Count),
            converged && stored.CountAt is { } at ? Stopwatch.GetElapsedTime(at, end) : null,
            everyone.Average(c => c.VoteEvents),
            sampler.Summarize(start, start, end));

        async Task VoteAsync(int i)
        {
            try
            {
                await voters[i].InvokeAsync("Upvote", [setup.SessionId, question.Id], ct);
                ackedAt[i] = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref acknowledged);
            }
            catch (Exception e) when (e is HubException or InvalidOperationException or IOException or TaskCanceledException)
            {
                lock (refusals)
                    refusals.Add(e.Message);
            }
        }
    }

    private static async Task ApproveIfPendingAsync(RoomSetup setup, RoomClient lecturer, QuestionHead question, CancellationToken ct)
    {
        if (question.Status == "pending")
            await lecturer.InvokeAsync("ModerateQuestion", [setup.SessionId, question.Id, "approve"], ct);
    }

    /// <summary>
    /// Reads the question's vote rows and its stored count from the server's SQLite file (WAL: reading does not hold up
    /// the server's writes) every few milliseconds, until both reach the target or polling is stopped.
    /// </summary>
    private static async Task<(int Rows, int Count, long? RowsAt, long? CountAt)> PollStoredAsync(
        string databasePath, long questionId, Func<int> target, CancellationToken stop)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False;Default Timeout=30");
        await connection.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM QuestionVotes WHERE QuestionId = $q), (SELECT Votes FROM RoomQuestions WHERE Id = $q)";
        command.Parameters.AddWithValue("$q", questionId);
        long? rowsAt = null, countAt = null;
        int rows, count;
        while (true)
        {
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                await reader.ReadAsync(CancellationToken.None);
                (rows, count) = (reader.GetInt32(0), reader.GetInt32(1));
            }

            var now = Stopwatch.GetTimestamp();
            var wanted = target();
            if (rowsAt is null && rows >= wanted)
                rowsAt = now;
            if (countAt is null && count >= wanted)
                countAt = now;
            if ((rowsAt is not null && countAt is not null) || stop.IsCancellationRequested)
                return (rows, count, rowsAt, countAt);
            try
            {
                await Task.Delay(5, stop);
            }
            catch (OperationCanceledException)
            {
                // Stopped: one last read above reports where the database got to.
            }
        }
    }
}
