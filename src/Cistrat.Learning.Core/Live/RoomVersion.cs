using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Live;

/// <summary>How every change to a room's state is stored: together with the room's next version, in one transaction.</summary>
internal static class RoomVersion
{
    /// <summary>
    /// Runs <paramref name="change"/> and raises the session's version in one transaction, inside the execution strategy
    /// (SQL Server's retrying one refuses a transaction begun outside it; SQLite's runs the delegate once). The version is
    /// raised in the database, not from a loaded value: the room may have moved on since. Returns the new version.
    /// </summary>
    public static Task<long> ChangeAsync(LearningDbContext db, int sessionId, Func<Task> change, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await change();
            await db.LiveSessions.Where(s => s.Id == sessionId)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.Version, s => s.Version + 1), ct);
            var version = await db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.Version).SingleAsync(ct);
            await tx.CommitAsync(ct);
            return version;
        });
}
