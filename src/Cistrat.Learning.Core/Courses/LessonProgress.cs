namespace Cistrat.Learning.Core.Courses;

/// <summary>
/// What one person did with one lesson. Kept per person rather than per enrolment, so that reading a
/// lesson counts in every cohort of the course, and a retired lesson's row survives.
/// </summary>
public class LessonProgress
{
    public required string UserId { get; set; }
    public int LessonId { get; set; }
    public int CourseId { get; set; }
    public DateTime FirstVisitedAt { get; set; }
    public DateTime LastVisitedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    /// <summary>How far down the lesson the reader was, 0 to 1, to resume there.</summary>
    public double Position { get; set; }
}
