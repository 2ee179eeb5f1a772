using System.Collections.Concurrent;

namespace Cistrat.Learning.Core.Live;

/// <summary>
/// What every participant's snapshot of a room shares at one version: its questions (all but withdrawn), polls,
/// recent chat, the names of their authors and which of those are staff. Each person's view is cut from it
/// (<see cref="LiveRoomService.SnapshotAsync"/>).
/// </summary>
public sealed record RoomShared(
    IReadOnlyList<RoomQuestion> Questions,
    IReadOnlyList<RoomPoll> Polls,
    IReadOnlyList<ChatMessage> Chat,
    IReadOnlyDictionary<string, string> Names,
    IReadOnlySet<string> StaffIds);

/// <summary>
/// Keeps, per room, the <see cref="RoomShared"/> part of its current version and the participant count for a second:
/// when thousands of trainees join a lecture within a minute (or come back after a node restarts), the first join
/// at a version reads them and the others share that read, instead of each running the same half a dozen queries
/// (the participant count alone is a scan of the room's open visits). Entries are tied to the version read by each
/// join, so a change to the room is never served stale; names and staff badges, which are not versioned, are read
/// again after <see cref="SharedLife"/>, and rooms nobody joined for that long are dropped.
/// </summary>
public sealed class RoomSnapshots(TimeProvider time)
{
    /// <summary>How long the shared part is used while the room's version does not move.</summary>
    public static readonly TimeSpan SharedLife = TimeSpan.FromSeconds(30);

    /// <summary>How long a participant count is used: the room's presence event corrects it every second anyway.</summary>
    public static readonly TimeSpan CountLife = TimeSpan.FromSeconds(1);

    // Keyed by the session's id and creation time: an id SQLite hands out again after a cohort (and its sessions) was
    // deleted must not be served the deleted session's room.
    private readonly ConcurrentDictionary<(int SessionId, DateTime CreatedAt), Kept<RoomShared>> _shared = new();
    private readonly ConcurrentDictionary<int, Kept<int>> _counts = new();

    /// <summary>
    /// The room's shared part at the session's version: kept, or read by <paramref name="load"/> once for all the
    /// callers that ask meanwhile. The read must not depend on the first caller's cancellation: others wait for it too.
    /// </summary>
    public Task<RoomShared> SharedAsync(LiveSession session, Func<Task<RoomShared>> load)
    {
        ArgumentNullException.ThrowIfNull(session);
        return GetAsync(_shared, (session.Id, session.CreatedAt), session.Version, SharedLife, load);
    }

    public Task<int> ParticipantCountAsync(int sessionId, Func<Task<int>> load) =>
        GetAsync(_counts, sessionId, version: 0, CountLife, load);

    /// <summary>
    /// Drops the room's kept shared part, for a change stored without raising the room's version yet (a batch of
    /// votes: its version is raised when its counts are announced). Other nodes read afresh once that version is raised.
    /// </summary>
    public void Forget(int sessionId)
    {
        foreach (var key in _shared.Keys)
        {
            if (key.SessionId == sessionId)
                _shared.TryRemove(key, out _);
        }
    }

    /// <summary>How many rooms have something kept (for tests).</summary>
    internal int KeptRooms => _shared.Count;

    private async Task<T> GetAsync<TKey, T>(ConcurrentDictionary<TKey, Kept<T>> kept, TKey key, long version, TimeSpan life, Func<Task<T>> load)
        where TKey : notnull
    {
        var now = time.GetUtcNow();
        var fresh = new Kept<T>(version, now, new Lazy<Task<T>>(load));
        var entry = kept.AddOrUpdate(key, fresh, (_, old) => old.Serves(version, now, life) ? old : fresh);
        if (ReferenceEquals(entry, fresh))
            Sweep(kept, now, life);
        try
        {
            return await entry.Value.Value;
        }
        catch
        {
            // A failed read is not kept: the next caller reads again.
            kept.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }
    }

    /// <summary>Rooms nobody joined for a while (ended lectures) hold nothing.</summary>
    private static void Sweep<TKey, T>(ConcurrentDictionary<TKey, Kept<T>> kept, DateTimeOffset now, TimeSpan life)
        where TKey : notnull
    {
        foreach (var pair in kept)
        {
            if (now - pair.Value.At >= life)
                kept.TryRemove(pair);
        }
    }

    /// <param name="Version">The room's version the value was read at (or after).</param>
    private sealed record Kept<T>(long Version, DateTimeOffset At, Lazy<Task<T>> Value)
    {
        /// <summary>
        /// Whether this serves a caller who read <paramref name="version"/>: a value read at a newer version does too (a
        /// snapshot holds at least what its version says; events the client then applies again carry whole items).
        /// </summary>
        public bool Serves(long version, DateTimeOffset now, TimeSpan life) =>
            Version >= version && now - At < life && !(Value.IsValueCreated && Value.Value.IsFaulted);
    }
}
