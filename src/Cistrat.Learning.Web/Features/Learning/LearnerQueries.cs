using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Cistrat.Learning.Web.Features.Learning;

/// <summary>The per-request queries of the learning pages: compiled, no-tracking, scoped to one person.</summary>
public static class LearnerQueries
{
    private static readonly Func<LearningDbContext, string, int, IAsyncEnumerable<MyEnrolment>> EnrolmentsInCourse =
        EF.CompileAsyncQuery((LearningDbContext db, string userId, int courseId) =>
            db.Enrolments.AsNoTracking()
                .Where(e => e.UserId == userId && e.Cohort!.CourseId == courseId)
                .Select(e => new MyEnrolment(e.Id, e.CohortId, e.Cohort!.Name, e.Status, e.Cohort.StartsOn, e.Cohort.EndsOn, e.Cohort.TimeZoneId)));

    private static readonly Func<LearningDbContext, string, int, Task<bool>> IsActiveInCourse =
        EF.CompileAsyncQuery((LearningDbContext db, string userId, int courseId) =>
            db.Enrolments.Any(e => e.UserId == userId && e.Cohort!.CourseId == courseId && e.Status == EnrolmentStatus.Active));

    private static readonly Func<LearningDbContext, string, int, IAsyncEnumerable<LessonProgress>> ProgressInCourse =
        EF.CompileAsyncQuery((LearningDbContext db, string userId, int courseId) =>
            db.LessonProgress.AsNoTracking().Where(p => p.UserId == userId && p.CourseId == courseId));

    public static async Task<List<MyEnrolment>> MyEnrolmentsAsync(this LearningDbContext db, string userId, int courseId, CancellationToken ct)
    {
        var list = new List<MyEnrolment>();
        await foreach (var e in EnrolmentsInCourse(db, userId, courseId).WithCancellation(ct))
            list.Add(e);
        return list;
    }

    /// <summary>
    /// Whether the person may read the course as an enrolled trainee. A "yes" is remembered for a minute: it is
    /// asked on every lesson view and changes only when the trainee leaves (which forgets it here at once). A "no"
    /// is never remembered, so a new enrolment opens the lessons straight away.
    /// </summary>
    public static async Task<bool> IsActivelyEnrolledAsync(this LearningDbContext db, IMemoryCache cache, string userId, int courseId)
    {
        var key = ActiveKey(userId, courseId);
        if (cache.TryGetValue(key, out _))
            return true;
        if (!await IsActiveInCourse(db, userId, courseId))
            return false;
        cache.Set(key, true, TimeSpan.FromMinutes(1));
        return true;
    }

    public static void ForgetEnrolment(this IMemoryCache cache, string userId, int courseId) => cache.Remove(ActiveKey(userId, courseId));

    private static (string, string, int) ActiveKey(string userId, int courseId) => ("active-enrolment", userId, courseId);

    public static async Task<List<LessonProgress>> MyProgressAsync(this LearningDbContext db, string userId, int courseId, CancellationToken ct)
    {
        var list = new List<LessonProgress>();
        await foreach (var p in ProgressInCourse(db, userId, courseId).WithCancellation(ct))
            list.Add(p);
        return list;
    }
}

public sealed record MyEnrolment(int Id, int CohortId, string CohortName, EnrolmentStatus Status, DateOnly StartsOn, DateOnly EndsOn, string TimeZoneId);
