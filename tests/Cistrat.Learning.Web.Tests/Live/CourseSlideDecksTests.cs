using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Features.Live;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cistrat.Learning.Web.Tests.Live;

public sealed class CourseSlideDecksTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cistrat-tests", "decks-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void ListFor_OrdersDecksByNumber_NamesThemByFile_AndTitlesThemFromTheDeck()
    {
        WriteCourse("course-folder", "slug: named-course\ntitle: A course");
        WriteDeck("course-folder", "10-late.md", "## Late deck\n");
        WriteDeck("course-folder", "2-middle.md", "---\ntitle: The middle one\n---\n## Slide\n");
        WriteDeck("course-folder", "01-first.md", "## First deck\n---\n## Second slide\n");
        WriteDeck("course-folder", "README.md", "How to write decks.\n");
        WriteDeck("course-folder", "notes.md", "## Not a deck\n");
        WriteDeck("course-folder", "03-broken.md", "---\ntitle: [unclosed\n---\n## Slide\n");

        var decks = Decks().ListFor("named-course");

        Assert.Equal(
            [new DeckInfo("first", "First deck"), new DeckInfo("middle", "The middle one"), new DeckInfo("late", "Late deck")],
            decks);
    }

    [Fact]
    public void ListFor_FindsTheCourseByItsFolderName_WhenCourseYmlNamesNoSlug()
    {
        WriteCourse("plain", "title: No slug here");
        WriteDeck("plain", "01-intro.md", "## Intro\n");
        WriteCourse("other", "slug: plain-too\ntitle: Another");
        WriteDeck("other", "01-elsewhere.md", "## Elsewhere\n");

        Assert.Equal([new DeckInfo("intro", "Intro")], Decks().ListFor("plain"));
    }

    [Theory]
    [InlineData("no-such-course")]
    [InlineData("../outside")]
    [InlineData("")]
    public void ListFor_IsEmpty_ForACourseThatDoesNotExist(string slug)
    {
        WriteCourse("demo", "slug: demo\ntitle: Demo");
        WriteDeck("demo", "01-intro.md", "## Intro\n");

        Assert.Empty(Decks().ListFor(slug));
    }

    [Fact]
    public void ListFor_IsEmpty_ForACourseWithoutSlides()
    {
        WriteCourse("demo", "slug: demo\ntitle: Demo");

        Assert.Empty(Decks().ListFor("demo"));
    }

    [Fact]
    public void Load_ReturnsTheSanitisedSlides_WithImagesServedFromTheCourseFiles()
    {
        WriteCourse("demo-folder", "slug: demo\ntitle: Demo");
        WriteDeck("demo-folder", "01-intro.md", "---\ntitle: Introduction\n---\n## One\n\n![The cycle](cycle.svg)\n---\n## Two\n\n<p onclick=\"x()\">Text</p>\n");
        File.WriteAllText(Path.Combine(_root, "demo-folder", "slides", "cycle.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");

        var deck = Decks().Load("demo", "intro");

        Assert.Equal("Introduction", deck.Title);
        Assert.Equal(2, deck.SlidesHtml.Count);
        Assert.Contains($"src=\"{ContentImporter.FilesRequestPath}/demo-folder/slides/cycle.svg\"", deck.SlidesHtml[0], StringComparison.Ordinal);
        Assert.Equal("<h2 id=\"two\">Two</h2>\n<p>Text</p>", deck.SlidesHtml[1]);
    }

    [Fact]
    public void Load_Throws_ForAMissingCourseOrDeck()
    {
        WriteCourse("demo", "slug: demo\ntitle: Demo");
        WriteDeck("demo", "01-intro.md", "## Intro\n");
        var decks = Decks();

        var course = Assert.Throws<SlideDeckException>(() => decks.Load("nope", "intro"));
        var deck = Assert.Throws<SlideDeckException>(() => decks.Load("demo", "outro"));
        var traversal = Assert.Throws<SlideDeckException>(() => decks.Load("demo", "../../course.yml"));

        Assert.Equal("There is no course 'nope' in the content folder.", course.Message);
        Assert.Equal("Course 'demo' has no slide deck 'outro' (looked for demo/slides/NN-outro.md).", deck.Message);
        Assert.Contains("has no slide deck", traversal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Throws_ForABrokenDeck_NamingItsFileAndLine()
    {
        WriteCourse("demo", "slug: demo\ntitle: Demo");
        WriteDeck("demo", "01-broken.md", "---\n- not\n- a map\n---\n## Slide\n");

        var e = Assert.Throws<SlideDeckException>(() => Decks().Load("demo", "broken"));

        Assert.Equal("demo/slides/01-broken.md:2: invalid YAML: expected 'field: value' lines", e.Message);
    }

    /// <summary>The repository's own content/: every course has a deck, and every deck loads without a single issue.</summary>
    [Fact]
    public void EveryDeckInTheContentFolder_Loads_WithoutErrorsOrWarnings()
    {
        var content = RepositoryContent();
        var decks = new CourseSlideDecks(new DataFolder(_root, content), NullLogger<CourseSlideDecks>.Instance);
        var problems = new List<string>();
        var courses = Directory.EnumerateDirectories(content).Where(d => File.Exists(Path.Combine(d, "course.yml"))).ToList();
        foreach (var course in courses)
        {
            var folderName = Path.GetFileName(course);
            var slug = File.ReadLines(Path.Combine(course, "course.yml"))
                .Where(l => l.StartsWith("slug:", StringComparison.Ordinal)).Select(l => l["slug:".Length..].Trim()).FirstOrDefault() ?? folderName;
            var listed = decks.ListFor(slug);
            var files = Directory.Exists(Path.Combine(course, "slides")) ? Directory.GetFiles(Path.Combine(course, "slides"), "*.md") : [];
            if (listed.Count == 0)
                problems.Add($"{folderName}: no slide deck in {folderName}/slides/");
            if (listed.Count != files.Length)
                problems.Add($"{folderName}: {files.Length} deck files but {listed.Count} decks listed");
            foreach (var info in listed)
            {
                try
                {
                    var deck = decks.Load(slug, info.Slug);
                    output.WriteLine($"{slug}/{info.Slug}: \"{deck.Title}\", {deck.SlidesHtml.Count} slides");
                    problems.AddRange(deck.Issues.Select(i => $"{i.Severity}: {i}"));
                    problems.AddRange(deck.SlidesHtml.Where(string.IsNullOrWhiteSpace).Select(_ => $"{slug}/{info.Slug}: an empty slide"));
                }
                catch (SlideDeckException e)
                {
                    problems.Add(e.Message);
                }
            }
        }

        Assert.True(courses.Count >= 3, $"{courses.Count} courses in {content}");
        Assert.Empty(problems);
    }

    private CourseSlideDecks Decks() =>
        new(new DataFolder(Path.Combine(_root, ".data"), _root), NullLogger<CourseSlideDecks>.Instance);

    private void WriteCourse(string folder, string courseYml)
    {
        Directory.CreateDirectory(Path.Combine(_root, folder));
        File.WriteAllText(Path.Combine(_root, folder, "course.yml"), courseYml + "\nsummary: S.\nlanguage: en\nlicence: CC-BY-4.0\nhours: 1\n");
    }

    private void WriteDeck(string folder, string name, string markdown)
    {
        Directory.CreateDirectory(Path.Combine(_root, folder, "slides"));
        File.WriteAllText(Path.Combine(_root, folder, "slides", name), markdown);
    }

    private static string RepositoryContent()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cistrat.Learning.sln")))
                return Path.Combine(dir.FullName, "content");
        }

        throw new InvalidOperationException($"No Cistrat.Learning.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
