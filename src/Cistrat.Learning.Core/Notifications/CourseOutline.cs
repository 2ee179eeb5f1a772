using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Notifications;

/// <summary>A course's current lessons in reading order, to say how far someone is and what comes next.</summary>
internal sealed class CourseOutline(IReadOnlyList<CourseOutline.Entry> lessons)
{
    public sealed record Entry(int Id, int ModuleId, string Slug, string Title);

    public static async Task<CourseOutline> LoadAsync(LearningDbContext db, int courseId, CancellationToken ct)
    {
        var lessons = await db.Lessons.AsNoTracking()
            .Where(l => l.CourseId == courseId && l.RetiredAt == null)
            .OrderBy(l => l.Module!.Position).ThenBy(l => l.Position)
            .Select(l => new Entry(l.Id, l.ModuleId, l.Slug, l.Title))
            .ToListAsync(ct);
        return new CourseOutline(lessons);
    }

    public int PercentOf(IReadOnlyCollection<int> completed)
    {
        var done = new HashSet<int>(completed);
        return CourseProgress.Compute(lessons.GroupBy(l => l.ModuleId).Select(g => (g.Key, (IReadOnlyCollection<int>)g.Select(l => l.Id).ToList())), done).Percent;
    }

    /// <summary>The first lesson in reading order not yet completed.</summary>
    public Entry? NextAfter(IReadOnlyCollection<int> completed)
    {
        var done = new HashSet<int>(completed);
        return lessons.FirstOrDefault(l => !done.Contains(l.Id));
    }
}
