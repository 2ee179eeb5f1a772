using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Learning;

/// <summary>Writes lesson visits, completion and reading position, with as few writes as "resume" needs.</summary>
public sealed class LessonProgressRecorder(LearningDbContext db, CompletionService completion, ProgressCache progressCache, TimeProvider time)
{
    private static readonly TimeSpan RevisitGranularity = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Records that the person opened a lesson. Re-reading the lesson that is already the latest one within a
    /// few minutes changes nothing that "continue where you left off" shows, so it costs no write.
    /// </summary>
    public async Task RecordVisitAsync(string userId, int courseId, int lessonId, IReadOnlyCollection<LessonProgress> courseProgress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(courseProgress);
        var now = time.GetUtcNow().UtcDateTime;
        var row = courseProgress.FirstOrDefault(p => p.LessonId == lessonId);
        if (row is null)
        {
            await InsertAsync(new LessonProgress { UserId = userId, LessonId = lessonId, CourseId = courseId, FirstVisitedAt = now, LastVisitedAt = now }, ct);
            progressCache.Forget(userId, courseId);
            return;
        }

        var latest = courseProgress.MaxBy(p => p.LastVisitedAt)!;
        if (latest.LessonId == lessonId && now - row.LastVisitedAt < RevisitGranularity)
            return;
        await db.LessonProgress.Where(p => p.UserId == userId && p.LessonId == lessonId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastVisitedAt, now), ct);
        progressCache.Forget(userId, courseId);
    }

    public async Task SetDoneAsync(string userId, int courseId, int lessonId, bool done, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        DateTime? completedAt = done ? now : null;
        var rows = db.LessonProgress.Where(p => p.UserId == userId && p.LessonId == lessonId);
        // Marking done twice keeps the first completion time.
        var updated = done
            ? await rows.ExecuteUpdateAsync(s => s.SetProperty(p => p.CompletedAt, p => p.CompletedAt ?? completedAt).SetProperty(p => p.LastVisitedAt, now), ct)
            : await rows.ExecuteUpdateAsync(s => s.SetProperty(p => p.CompletedAt, (DateTime?)null).SetProperty(p => p.LastVisitedAt, now), ct);
        if (updated == 0)
        {
            await InsertAsync(new LessonProgress
            {
                UserId = userId, LessonId = lessonId, CourseId = courseId, FirstVisitedAt = now, LastVisitedAt = now, CompletedAt = completedAt,
            }, ct);
        }

        progressCache.Forget(userId, courseId);

        // Marking the last required lesson done may complete the cohort.
        if (done)
            await completion.EvaluatePersonInCourseAsync(userId, courseId, ct);
    }

    public async Task SetPositionAsync(string userId, int courseId, int lessonId, double position, CancellationToken ct)
    {
        await db.LessonProgress.Where(p => p.UserId == userId && p.LessonId == lessonId && p.CourseId == courseId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Position, position), ct);
        progressCache.Forget(userId, courseId);
    }

    private async Task InsertAsync(LessonProgress row, CancellationToken ct)
    {
        db.LessonProgress.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.Entry(row).State = EntityState.Detached;
            // The same person's other tab inserted the row first: the visit is recorded, which is all we wanted.
            if (!await db.LessonProgress.AnyAsync(p => p.UserId == row.UserId && p.LessonId == row.LessonId, ct))
                throw;
        }

        db.Entry(row).State = EntityState.Detached;
    }
}
