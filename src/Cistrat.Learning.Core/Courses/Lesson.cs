namespace Cistrat.Learning.Core.Courses;

public class Lesson
{
    public int Id { get; set; }
    public int ModuleId { get; set; }
    public Module? Module { get; set; }

    /// <summary>Denormalised so that lookups by (course, slug) need no join.</summary>
    public int CourseId { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public int Position { get; set; }
    public int Minutes { get; set; }

    /// <summary>Learning objectives, one per line.</summary>
    public string Objectives { get; set; } = "";

    /// <summary>Sanitised HTML rendered once at import; never re-rendered per request.</summary>
    public string Html { get; set; } = "";
    public int WordCount { get; set; }

    /// <summary>Hash of the source file, so an unchanged lesson is not rewritten on import.</summary>
    public string SourceHash { get; set; } = "";
    public DateTime? RetiredAt { get; set; }

    public IEnumerable<string> ObjectiveList => Objectives.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
