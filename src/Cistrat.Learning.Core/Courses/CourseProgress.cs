namespace Cistrat.Learning.Core.Courses;

/// <summary>Share of a course's current (non-retired) lessons a person has marked done, overall and per module.</summary>
public sealed record CourseProgress(int Done, int Total, IReadOnlyList<ModuleProgress> Modules)
{
    public int Percent => Total == 0 ? 0 : (int)Math.Floor(100.0 * Done / Total);

    public bool IsComplete => Total > 0 && Done == Total;

    /// <summary>
    /// Computes progress from the course outline and the ids of lessons the person completed. Completed
    /// lessons that were since retired do not count: they are no longer part of the course.
    /// </summary>
    public static CourseProgress Compute(IEnumerable<(int ModuleId, IReadOnlyCollection<int> LessonIds)> outline, IReadOnlySet<int> completedLessonIds)
    {
        ArgumentNullException.ThrowIfNull(outline);
        ArgumentNullException.ThrowIfNull(completedLessonIds);
        var modules = outline
            .Select(m => new ModuleProgress(m.ModuleId, m.LessonIds.Count(completedLessonIds.Contains), m.LessonIds.Count))
            .ToList();
        return new CourseProgress(modules.Sum(m => m.Done), modules.Sum(m => m.Total), modules);
    }
}

public sealed record ModuleProgress(int ModuleId, int Done, int Total)
{
    public int Percent => Total == 0 ? 0 : (int)Math.Floor(100.0 * Done / Total);
}
