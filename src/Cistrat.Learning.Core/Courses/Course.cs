namespace Cistrat.Learning.Core.Courses;

/// <summary>A course as imported from <c>content/&lt;course&gt;/course.yml</c>. The slug is its key.</summary>
public class Course
{
    public int Id { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public required string Summary { get; set; }
    public required string Language { get; set; }
    public required string Licence { get; set; }
    public string Authors { get; set; } = "";
    public decimal EstimatedHours { get; set; }

    /// <summary>Space-separated theme keys, e.g. "ai data".</summary>
    public string Themes { get; set; } = "";

    public string? GlossaryHtml { get; set; }

    /// <summary>Set when the course folder disappeared from content/; its cohorts and progress stay.</summary>
    public DateTime? RetiredAt { get; set; }
    public DateTime ImportedAt { get; set; }

    public List<CourseTranslation> Translations { get; } = [];
    public List<Module> Modules { get; } = [];

    public IEnumerable<string> ThemeList => Themes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Title in the given UI language, falling back to the course's own.</summary>
    public string TitleIn(string language) =>
        Translations.FirstOrDefault(t => t.Language == language)?.Title ?? Title;

    public string SummaryIn(string language) =>
        Translations.FirstOrDefault(t => t.Language == language)?.Summary ?? Summary;
}

public class CourseTranslation
{
    public int Id { get; set; }
    public int CourseId { get; set; }
    public required string Language { get; set; }
    public required string Title { get; set; }
    public required string Summary { get; set; }
}
