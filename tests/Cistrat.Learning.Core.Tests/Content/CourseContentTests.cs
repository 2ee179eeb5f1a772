using AngleSharp.Html.Parser;
using Cistrat.Learning.Core.Content;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cistrat.Learning.Core.Tests.Content;

/// <summary>
/// The editorial rules every course in content/ keeps (content/README.md): lesson length, objectives, the
/// required sections, module summaries, a glossary, catalogue translations, and no broken link.
/// </summary>
public sealed class CourseContentTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly string[] RequiredSections = ["Key terms", "Apply it to your country", "Further reading"];
    private static readonly string[] CatalogueLanguages = ["fr", "ar"];
    private static readonly HtmlParser Parser = new();

    private ContentImportResult _import = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await database.ResetAsync(Ct);
        await using var db = database.CreateContext();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        _import = await new ContentImporter(db, clock, NullLogger<ContentImporter>.Instance).ImportAsync(RepositoryContent(), Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public void Import_AcceptsEveryFile_WithoutWarnings()
    {
        Assert.Empty(_import.Issues.Select(i => $"{i.Severity}: {i}"));
    }

    [Fact]
    public async Task Courses_TogetherHoldAtLeast36Lessons_And30000Words()
    {
        await using var db = database.CreateContext();
        var lessons = await db.Lessons.Where(l => l.RetiredAt == null).Select(l => l.WordCount).ToListAsync(Ct);
        Assert.True(lessons.Count >= 36, $"{lessons.Count} lessons");
        Assert.True(lessons.Sum() >= 30_000, $"{lessons.Sum()} words");
    }

    [Fact]
    public async Task EveryCourse_HasFourModules_ThreeLessonsEach_AGlossary_AndFrenchAndArabicCatalogueText()
    {
        await using var db = database.CreateContext();
        var courses = await db.Courses.Include(c => c.Translations).Include(c => c.Modules).ThenInclude(m => m.Lessons).ToListAsync(Ct);
        var problems = new List<string>();
        foreach (var course in courses)
        {
            if (course.Modules.Count < 4)
                problems.Add($"{course.Slug}: {course.Modules.Count} modules");
            problems.AddRange(course.Modules.Where(m => m.Lessons.Count < 3).Select(m => $"{course.Slug}/{m.Slug}: {m.Lessons.Count} lessons"));
            problems.AddRange(course.Modules.Where(m => string.IsNullOrWhiteSpace(m.SummaryHtml)).Select(m => $"{course.Slug}/{m.Slug}: no module summary"));
            if (string.IsNullOrWhiteSpace(course.GlossaryHtml))
                problems.Add($"{course.Slug}: no glossary");
            problems.AddRange(CatalogueLanguages.Where(l => course.Translations.All(t => t.Language != l)).Select(l => $"{course.Slug}: no '{l}' title and summary"));
        }

        Assert.True(courses.Count >= 3, $"{courses.Count} courses");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task EveryLesson_Has600To1500Words_Objectives_TheRequiredSections_AndAWorkedExampleOrCase()
    {
        await using var db = database.CreateContext();
        var lessons = await db.Lessons.Include(l => l.Module!).ThenInclude(m => m.Course).ToListAsync(Ct);
        var problems = new List<string>();
        foreach (var lesson in lessons)
        {
            var name = $"{lesson.Module!.Course!.Slug}/{lesson.Module.Slug}/{lesson.Slug}";
            if (lesson.WordCount is < 600 or > 1500)
                problems.Add($"{name}: {lesson.WordCount} words");
            if (lesson.ObjectiveList.Count() < 2)
                problems.Add($"{name}: fewer than two learning objectives");

            var document = Parser.ParseDocument(lesson.Html);
            var headings = document.QuerySelectorAll("h2").Select(h => h.TextContent.Trim()).ToList();
            problems.AddRange(RequiredSections.Where(s => !headings.Contains(s)).Select(s => $"{name}: no '{s}' section"));
            if (!headings.Any(h => h.StartsWith("Worked example", StringComparison.Ordinal) || h.StartsWith("Case", StringComparison.Ordinal)))
                problems.Add($"{name}: no 'Worked example' or 'Case' section");

            var reading = document.QuerySelectorAll("h2").FirstOrDefault(h => h.TextContent.Trim() == "Further reading");
            var list = reading?.NextElementSibling;
            if (list is null || list.LocalName is not ("ul" or "ol") || list.Children.Length < 2)
                problems.Add($"{name}: further reading lists fewer than two documents");
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task EveryLinkInsideALesson_PointsToSomethingThatExists()
    {
        await using var db = database.CreateContext();
        var lessons = await db.Lessons.Include(l => l.Module!).ThenInclude(m => m.Course).ToListAsync(Ct);
        var root = RepositoryContent();
        var problems = new List<string>();
        foreach (var lesson in lessons)
        {
            var document = Parser.ParseDocument(lesson.Html);
            var ids = document.QuerySelectorAll("[id]").Select(e => e.Id).ToHashSet();
            foreach (var href in document.QuerySelectorAll("a[href], img[src]").Select(e => e.GetAttribute("href") ?? e.GetAttribute("src")!))
            {
                if (href.StartsWith('#') && !ids.Contains(Uri.UnescapeDataString(href[1..])))
                    problems.Add($"{lesson.Slug}: anchor {href} has no target");
                if (href.StartsWith(ContentImporter.FilesRequestPath + "/", StringComparison.Ordinal))
                {
                    var path = Path.Combine(root, Uri.UnescapeDataString(href[(ContentImporter.FilesRequestPath.Length + 1)..]));
                    if (!File.Exists(path))
                        problems.Add($"{lesson.Slug}: {href} does not exist");
                }
                else if (!href.StartsWith('#') && !href.StartsWith("https://", StringComparison.Ordinal) && !href.StartsWith("http://", StringComparison.Ordinal))
                {
                    problems.Add($"{lesson.Slug}: unexpected link {href}");
                }
            }
        }

        Assert.Empty(problems);
    }

    internal static string RepositoryContent()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cistrat.Learning.sln")))
                return Path.Combine(dir.FullName, "content");
        }

        throw new InvalidOperationException($"No Cistrat.Learning.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
