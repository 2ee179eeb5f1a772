using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Features.Learning;

/// <summary>
/// A person's progress rows in one course, kept on this node between page views: the lesson reader and the course
/// page need them on every request, and only the person's own actions change them, all through
/// <see cref="LessonProgressRecorder"/>, which forgets the copy as it writes.
/// </summary>
/// <remarks>
/// The embedded SQLite database is served by one node, so its copy is always the database's. With SQL Server
/// several nodes may serve one person, and a copy kept here would miss a change written through another node: the
/// rows are then read each time.
/// </remarks>
public sealed class ProgressCache(IMemoryCache cache, IOptions<DatabaseOptions> database)
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(20);
    private readonly bool _enabled = database.Value.Provider == DatabaseProvider.Sqlite;

    /// <summary>Raised by every change: a read that overlapped one is not kept, as it may predate it.</summary>
    private long _changes;

    /// <summary>The rows, read-only: the same list serves every request of this person until it changes.</summary>
    public async Task<IReadOnlyList<LessonProgress>> GetAsync(LearningDbContext db, string userId, int courseId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var key = Key(userId, courseId);
        if (_enabled && cache.TryGetValue(key, out IReadOnlyList<LessonProgress>? kept))
            return kept!;

        var before = Interlocked.Read(ref _changes);
        var rows = await db.MyProgressAsync(userId, courseId, ct);
        if (_enabled && Interlocked.Read(ref _changes) == before)
            cache.Set(key, (IReadOnlyList<LessonProgress>)rows.AsReadOnly(), new MemoryCacheEntryOptions { SlidingExpiration = Idle });
        return rows;
    }

    /// <summary>Called after every write of the person's progress in the course (after it is committed).</summary>
    public void Forget(string userId, int courseId)
    {
        Interlocked.Increment(ref _changes);
        cache.Remove(Key(userId, courseId));
    }

    private static (string, string, int) Key(string userId, int courseId) => ("course-progress", userId, courseId);
}
