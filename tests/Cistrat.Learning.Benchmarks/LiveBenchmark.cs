using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Cistrat.Learning.Benchmarks;

/// <summary>The live room and its bare baseline at one number of trainees.</summary>
internal sealed record LivePoint(int Clients, FanOutMeasurement Bare, RoomMeasurement Room);

/// <summary>Everything the live-room section measured, for its part of the report and its targets.</summary>
internal sealed record LiveRun(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    MachineInfo Machine,
    BenchmarkOptions Options,
    RoomSetup Setup,
    SlidePlan Plan,
    TimeSpan VoteSpread,
    IReadOnlyList<LivePoint> Points);

/// <summary>
/// "Live lecture rooms": N trainees on WebSockets in one room, slide changes fanned out to all, an upvote storm, and
/// memory per connection, each N against a bare Kestrel WebSocket fan-out measured the same way in the same run.
/// </summary>
internal static class LiveBenchmark
{
    /// <summary>"Every trainee votes within a second."</summary>
    public static readonly TimeSpan VoteSpread = TimeSpan.FromSeconds(1);

    public static async Task<LiveRun> RunAsync(RepoLayout repo, BenchmarkOptions options, string demoPassword, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        var plan = new SlidePlan(WarmUpChanges: 2, MeasuredChanges: options.Quick ? 5 : 20, Interval: TimeSpan.FromSeconds(1));
        var dataFolder = Directory.CreateTempSubdirectory("cistrat-live-bench-");
        try
        {
            RoomSetup setup;
            Console.WriteLine($"Live rooms: seeding the demo data and {options.LiveClientCounts.Max():N0} trainees ...");
            await using (var server = await ServerProcess.StartAsync(repo, demoPassword, dataFolder, TimeSpan.FromMinutes(2), ct))
                setup = await RoomSetup.PrepareAsync(server, options.LiveClientCounts.Max(), demoPassword, ct);
            Console.WriteLine($"Room: session {setup.SessionId} '{setup.SessionTitle}' ({setup.SlideCount} slides); accounts created in {setup.AccountsCreated.TotalSeconds:0.0} s; "
                + $"{setup.SignIn.Count} sign-ins through the form at {setup.SignIn.PerSecond:0.0}/s");

            var points = new List<LivePoint>();
            foreach (var clients in options.LiveClientCounts)
            {
                var bare = await FanOutBaseline.RunAsync(clients, plan, ct);
                Print("Bare fan-out", bare);
                var room = await RoomLoad.RunAsync(repo, dataFolder, setup, demoPassword, clients, plan, VoteSpread, ct);
                Print("Live room", room.Slides);
                var storm = room.Storm;
                Console.WriteLine($"  upvote storm: {storm.Acknowledged:N0} of {storm.Voters:N0} votes accepted, {storm.PersistedPerSecond:N0} persisted/s "
                    + $"(all stored after {storm.AllPersisted?.TotalMilliseconds:N0} ms); {storm.Converged:N0} of {storm.Clients:N0} clients converged");
                points.Add(new LivePoint(clients, bare, room));
            }

            return new LiveRun(startedAt, clock.Elapsed, machine, options, setup, plan, VoteSpread, points);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                dataFolder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private static void Print(string name, FanOutMeasurement m) =>
        Console.WriteLine(
            $"{name,-13} {m.Clients,5:N0} clients: joined in {m.ConnectTime.TotalSeconds:0.0} s ({m.ConnectFailures} failed); slide change p50 {m.Slides.P50.TotalMilliseconds:0} ms, "
            + $"p99 {m.Slides.P99.TotalMilliseconds:0} ms, last trainee (median) {m.Slides.LastClientMedian.TotalMilliseconds:0} ms, {m.Slides.Missed} missed; "
            + $"{m.BytesPerConnection / 1000:0.0} KB/connection ({m.MarginalBytesPerConnection / 1000:0.0} KB for the second half, {m.ManagedBytesPerConnection / 1000:0.0} KB managed; "
            + $"RSS {m.Before.Rss >> 20} → {m.Half.Rss >> 20} → {m.After.Rss >> 20} MiB); cores: server {m.SlideResources.ServerCores:0.00}, clients {m.SlideResources.LoadGeneratorCores:0.00}, "
            + $"others {m.SlideResources.OtherCores:0.00}");
}
