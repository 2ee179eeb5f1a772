using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cistrat.Learning.Web.Features.Catalogue;

public class IndexModel(CourseCatalog catalog) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Theme { get; set; }

    [BindProperty(SupportsGet = true, Name = "lang")]
    public string? Language { get; set; }

    public IReadOnlyList<CourseOutline> Courses { get; private set; } = [];

    public IReadOnlyList<string> Themes { get; private set; } = [];

    public IReadOnlyList<string> Languages { get; private set; } = [];

    public string UiLanguage { get; } = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var all = await catalog.GetCoursesAsync(ct);
        Themes = all.SelectMany(c => c.Themes).Distinct().Order(StringComparer.Ordinal).ToList();
        Languages = all.Select(c => c.Language).Distinct().Order(StringComparer.Ordinal).ToList();
        var query = Query?.Trim();
        Courses = all
            .Where(c => string.IsNullOrEmpty(Theme) || c.Themes.Contains(Theme))
            .Where(c => string.IsNullOrEmpty(Language) || c.Language == Language)
            .Where(c => string.IsNullOrEmpty(query) || Matches(c, query))
            .ToList();
    }

    /// <summary>Searches the course's own text and every translation of its title and summary.</summary>
    private static bool Matches(CourseOutline course, string query) =>
        new[] { course.Title, course.Summary }
            .Concat(course.Translations.Values.SelectMany(t => new[] { t.Title, t.Summary }))
            .Concat(course.Modules.Select(m => m.Title))
            .Any(text => text.Contains(query, StringComparison.CurrentCultureIgnoreCase));
}
