using Cistrat.Learning.Core.Courses;

namespace Cistrat.Learning.Core.Tests.Courses;

public sealed class CourseProgressTests
{
    private static readonly (int, IReadOnlyCollection<int>)[] Outline = [(1, [10, 11, 12]), (2, [20, 21])];

    [Fact]
    public void Compute_CountsDoneLessonsPerModuleAndOverall()
    {
        var progress = CourseProgress.Compute(Outline, new HashSet<int> { 10, 12, 21 });
        Assert.Equal(3, progress.Done);
        Assert.Equal(5, progress.Total);
        Assert.Equal(60, progress.Percent);
        Assert.Equal([(1, 2, 3), (2, 1, 2)], progress.Modules.Select(m => (m.ModuleId, m.Done, m.Total)));
        Assert.Equal(66, progress.Modules[0].Percent);
        Assert.False(progress.IsComplete);
    }

    [Fact]
    public void Compute_IgnoresCompletedLessonsThatAreNoLongerInTheCourse()
    {
        var progress = CourseProgress.Compute(Outline, new HashSet<int> { 10, 11, 12, 20, 21, 99 });
        Assert.Equal(5, progress.Done);
        Assert.Equal(100, progress.Percent);
        Assert.True(progress.IsComplete);
    }

    [Fact]
    public void Percent_RoundsDown_SoNinetyNinePointNineIsNotShownAsDone()
    {
        var lessons = Enumerable.Range(1, 1000).ToArray();
        var progress = CourseProgress.Compute([(1, lessons)], lessons.Take(999).ToHashSet());
        Assert.Equal(99, progress.Percent);
    }

    [Fact]
    public void Compute_OfAnEmptyCourse_IsZeroAndNeverComplete()
    {
        var progress = CourseProgress.Compute([], new HashSet<int>());
        Assert.Equal(0, progress.Percent);
        Assert.False(progress.IsComplete);
    }
}
