using System.Collections.Concurrent;
using System.Threading.Channels;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>
/// Writes votes and attendance in batches and announces vote counts coalesced: an upvote storm of thousands of
/// trainees becomes a few transactions a second and, per room, at most one count event every 200 ms, instead of
/// one write and one broadcast per vote. A vote's caller is answered once its batch is committed.
/// </summary>
public sealed partial class RoomWriter(
    IServiceScopeFactory scopes,
    IHubContext<LiveHub, ILiveClient> hub,
    RoomSnapshots snapshots,
    TimeProvider time,
    ILogger<RoomWriter> log) : BackgroundService
{
    public static readonly TimeSpan CountInterval = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan PresenceInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMinutes(1);
    private const int MaxBatch = 2000;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, int> _connections = new();
    private readonly Lock _dirtyLock = new();
    private Dictionary<int, HashSet<long>> _questions = [];
    private Dictionary<int, HashSet<long>> _polls = [];
    private HashSet<int> _presence = [];

    /// <summary>Connections on this node that joined a room, refreshed in the database every minute.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>
    /// The room a connection joined. Kept here rather than in the hub's per-connection <c>Context.Items</c>, a
    /// dictionary of its own (about half a kilobyte) for each of thousands of connections.
    /// </summary>
    public int? RoomOf(string connectionId) => _connections.TryGetValue(connectionId, out var sessionId) ? sessionId : null;

    public void Connected(string connectionId, int sessionId) => _connections[connectionId] = sessionId;

    /// <summary>Forgets the connection; returns the room it had joined, if any.</summary>
    public int? Disconnected(string connectionId) => _connections.TryRemove(connectionId, out var sessionId) ? sessionId : null;

    /// <summary>Queues a write nobody waits for (attendance).</summary>
    public void Post(RoomWrite write) => _queue.Writer.TryWrite(new Pending(write, null));

    /// <summary>Queues a write and completes when its batch is committed.</summary>
    public async Task WriteAsync(RoomWrite write, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(write, done)))
            throw new HubException("closed: The server is shutting down; try again in a moment.");
        await done.Task.WaitAsync(ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(WriteLoopAsync(stoppingToken), CountLoopAsync(stoppingToken), HeartbeatLoopAsync(stoppingToken));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Visits of this node's connections end now rather than at their next (missing) refresh.
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (connection, session) in _connections)
            Post(new RoomWrite.Left(session, connection, now));
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                    batch.Add(item);
                await WriteBatchAsync(batch, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task WriteBatchAsync(List<Pending> batch, CancellationToken ct)
    {
        try
        {
            Merge(await StoreAsync([.. batch.Select(p => p.Write)], ct));
            foreach (var p in batch)
                p.Done?.TrySetResult();
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            // One bad write must not sink the others: retry them one by one and fail only the bad one.
            LogBatchFailed(e, batch.Count);
            foreach (var p in batch)
            {
                try
                {
                    Merge(await StoreAsync([p.Write], ct));
                    p.Done?.TrySetResult();
                }
                catch (Exception one) when (one is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
                {
                    LogWriteFailed(one, p.Write.GetType().Name, p.Write.SessionId);
                    p.Done?.TrySetException(new HubException("invalid: This could not be stored."));
                }
            }
        }
    }

    private async Task<RoomBatchResult> StoreAsync(IReadOnlyList<RoomWrite> writes, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        return await RoomBatchStore.WriteAsync(db, writes, ct);
    }

    private void Merge(RoomBatchResult result)
    {
        // Counts are stored before the version that announces them is raised (at the next count tick): a snapshot
        // kept at the current version would otherwise give joiners the counts from before this batch meanwhile.
        foreach (var session in result.QuestionsCounted.Keys.Union(result.PollsCounted.Keys))
            snapshots.Forget(session);
        lock (_dirtyLock)
        {
            foreach (var (session, ids) in result.QuestionsCounted)
                Union(_questions, session, ids);
            foreach (var (session, ids) in result.PollsCounted)
                Union(_polls, session, ids);
            _presence.UnionWith(result.PresenceChanged);
        }
    }

    private async Task CountLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(CountInterval, time);
        var lastPresence = time.GetTimestamp();
        while (await timer.WaitForNextTickAsync(ct))
        {
            Dictionary<int, HashSet<long>> questions, polls;
            HashSet<int>? presence = null;
            lock (_dirtyLock)
            {
                (questions, _questions) = (_questions, []);
                (polls, _polls) = (_polls, []);
                if (time.GetElapsedTime(lastPresence) >= PresenceInterval)
                {
                    (presence, _presence) = (_presence, []);
                    lastPresence = time.GetTimestamp();
                }
            }

            // Each room on its own: one room's failure must not cost another its announcement.
            foreach (var session in questions.Keys.Union(polls.Keys))
            {
                var changedQuestions = questions.GetValueOrDefault(session);
                var changedPolls = polls.GetValueOrDefault(session);
                try
                {
                    await AnnounceCountsAsync(session, changedQuestions, changedPolls, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The version was not raised: keep the room's changes for the next tick, or clients comparing
                    // versions would never learn that its counts moved.
                    LogAnnounceFailed(e);
                    lock (_dirtyLock)
                    {
                        if (changedQuestions is not null)
                            Union(_questions, session, changedQuestions);
                        if (changedPolls is not null)
                            Union(_polls, session, changedPolls);
                    }
                }
            }

            foreach (var session in presence ?? [])
            {
                try
                {
                    await AnnouncePresenceAsync(session, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogAnnounceFailed(e);
                }
            }
        }
    }

    private async Task AnnounceCountsAsync(int sessionId, HashSet<long>? questionIds, HashSet<long>? pollIds, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var room = scope.ServiceProvider.GetRequiredService<LiveRoomService>();
        var version = await room.BumpAsync(sessionId, ct);
        var questionList = questionIds?.ToList() ?? [];
        var pollList = pollIds?.ToList() ?? [];
        var counts = await db.RoomQuestions.Where(q => questionList.Contains(q.Id))
            .Select(q => new VoteCount(q.Id, q.Votes)).ToListAsync(ct);
        var polls = await db.RoomPolls.AsNoTracking().Where(p => pollList.Contains(p.Id)).ToListAsync(ct);

        // Every client must see every version: one event per audience carries the question counts and the polls
        // whose counts changed (trainees get only revealed polls: their counts are hidden until then). The version
        // is raised already, so a send that fails (backplane down) is healed by Sync and is not retried.
        try
        {
            await Task.WhenAll(
                hub.Clients.Group(RoomGroups.Staff(sessionId)).VotesChanged(sessionId, version, counts,
                    [.. polls.Select(p => LiveRoomService.PollOf(p, forStaff: true))]),
                hub.Clients.Group(RoomGroups.Trainees(sessionId)).VotesChanged(sessionId, version, counts,
                    [.. polls.Where(p => p.Revealed).Select(p => LiveRoomService.PollOf(p, forStaff: false))]));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSendFailed(e, sessionId);
        }
    }

    private async Task AnnouncePresenceAsync(int sessionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var count = await scope.ServiceProvider.GetRequiredService<LiveRoomService>().ParticipantCountAsync(sessionId, ct);
        await hub.Clients.Group(RoomGroups.All(sessionId)).PresenceChanged(sessionId, count);
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var (connection, session) in _connections)
                Post(new RoomWrite.Seen(session, connection, now));
        }
    }

    private static void Union(Dictionary<int, HashSet<long>> map, int session, HashSet<long> ids)
    {
        if (map.TryGetValue(session, out var set))
            set.UnionWith(ids);
        else
            map[session] = [.. ids];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} room writes failed; writing them one by one")]
    private partial void LogBatchFailed(Exception e, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "A room write ({Kind}) for session {SessionId} could not be stored")]
    private partial void LogWriteFailed(Exception e, string kind, int sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the counts of session {SessionId} failed; clients will resynchronise")]
    private partial void LogSendFailed(Exception e, int sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing room counts failed; retrying at the next tick")]
    private partial void LogAnnounceFailed(Exception e);

    private sealed record Pending(RoomWrite Write, TaskCompletionSource? Done);
}
