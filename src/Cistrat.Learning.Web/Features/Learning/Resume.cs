using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Web.Features.Catalogue;

namespace Cistrat.Learning.Web.Features.Learning;

public static class Resume
{
    /// <summary>
    /// "Continue where you left off": the lesson last opened, unless it is done, then the first lesson after it
    /// that is not done; with no history, the first lesson not done.
    /// </summary>
    public static LessonOutline? Pick(CourseOutline course, IReadOnlyCollection<LessonProgress> progress)
    {
        ArgumentNullException.ThrowIfNull(course);
        ArgumentNullException.ThrowIfNull(progress);
        var done = progress.Where(p => p.CompletedAt != null).Select(p => p.LessonId).ToHashSet();
        var last = progress.Where(p => course.Lessons.Any(l => l.Id == p.LessonId)).MaxBy(p => p.LastVisitedAt);
        var start = last is null ? 0 : course.Lessons.First(l => l.Id == last.LessonId).Index;
        if (last is not null && !done.Contains(last.LessonId))
            return course.Lessons[start];
        return course.Lessons.Skip(start).FirstOrDefault(l => !done.Contains(l.Id))
               ?? course.Lessons.FirstOrDefault(l => !done.Contains(l.Id));
    }
}
