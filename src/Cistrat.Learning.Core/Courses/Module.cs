namespace Cistrat.Learning.Core.Courses;

public class Module
{
    public int Id { get; set; }
    public int CourseId { get; set; }
    public Course? Course { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public int Position { get; set; }

    /// <summary>Sanitised HTML of the module summary, rendered at import.</summary>
    public string SummaryHtml { get; set; } = "";
    public DateTime? RetiredAt { get; set; }

    public List<Lesson> Lessons { get; } = [];
}
