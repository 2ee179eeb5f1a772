using Cistrat.Learning.Core.Content;

namespace Cistrat.Learning.Core.Tests.Content;

public sealed class ContentReaderTests : IDisposable
{
    private readonly ContentFolder _content = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _content.Dispose();

    [Fact]
    public async Task Read_ReportsInvalidYaml_AtItsLineInTheFile_AndLoadsTheOtherLessons()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "---\ntitle: Second lesson\nminutes: 20\n  objectives: misplaced\n---\nText.\n");

        var snapshot = await ReadAsync();

        var issue = Assert.Single(snapshot.Issues, i => i.Reason.StartsWith("invalid YAML", StringComparison.Ordinal));
        Assert.Equal(("demo/01-basics/02-second.md", 4, ContentIssueSeverity.Error), (issue.File, issue.Line, issue.Severity));
        Assert.Equal(["first", "third", "fourth"], Lessons(snapshot).Select(l => l.Slug));
        Assert.Contains("second", snapshot.Courses.Single().UnreadableLessonSlugs);
    }

    [Fact]
    public async Task Read_ReportsDuplicateKey_AtTheSecondKeysLine()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "---\ntitle: Second lesson\nminutes: 20\ntitle: Again\n---\nText.\n");

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/01-basics/02-second.md", 4, "invalid YAML: Duplicate key title");
    }

    [Fact]
    public async Task Read_ReportsMissingFrontMatter_AtLineOne()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "## Second\n\nNo front matter.\n");

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/01-basics/02-second.md", 1, "missing front matter");
        Assert.Equal(3, Lessons(snapshot).Count());
    }

    [Fact]
    public async Task Read_ReportsUnclosedFrontMatter_AtLineOne()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "---\ntitle: Second lesson\n\n## Second\n\nText.\n");

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/01-basics/02-second.md", 1, "front matter not closed");
        Assert.DoesNotContain(Lessons(snapshot), l => l.Slug == "second");
    }

    [Fact]
    public async Task Read_ReportsMissingTitle_AndSkipsTheLesson()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "---\nminutes: 20\n---\nText.\n");

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/01-basics/02-second.md", 1, "missing required field 'title'");
        Assert.Equal(["first", "third", "fourth"], Lessons(snapshot).Select(l => l.Slug));
    }

    [Theory]
    [InlineData("title")]
    [InlineData("summary")]
    [InlineData("language")]
    [InlineData("licence")]
    [InlineData("hours")]
    public async Task Read_ReportsMissingRequiredCourseField_AndSkipsOnlyThatCourse(string field)
    {
        _content.WithDemoCourse().WithDemoCourse(folder: "other", slug: "other");
        var yml = string.Join('\n', ContentFolder.CourseYml(slug: "other").Split('\n').Where(l => !l.StartsWith(field + ":", StringComparison.Ordinal)));
        _content.Write("other/course.yml", yml);

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "other/course.yml", 0, $"missing required field '{field}'");
        Assert.Equal(["demo"], snapshot.Courses.Select(c => c.Slug));
        Assert.Contains("other", snapshot.UnreadableCourseSlugs);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-4")]
    [InlineData("many")]
    public async Task Read_ReportsHoursThatAreNotAPositiveNumber_AtTheirLine(string hours)
    {
        _content.WithDemoCourse();
        _content.Write("demo/course.yml", ContentFolder.CourseYml(hours: hours));

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/course.yml", 6, "field 'hours' must be a positive number");
        Assert.Empty(snapshot.Courses);
    }

    [Fact]
    public async Task Read_ReportsDuplicateCourseSlug_NamingBothFiles_AndSkipsTheSecond()
    {
        _content.WithDemoCourse(folder: "a-course", slug: "demo").WithDemoCourse(folder: "b-course", slug: "demo");

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "b-course/course.yml", 1, "duplicate course slug 'demo': a-course/course.yml already uses it");
        Assert.Equal(["a-course"], snapshot.Courses.Select(c => c.FolderName));
    }

    [Fact]
    public async Task Read_ReportsDuplicateModuleSlug_NamingBothFiles_AndSkipsTheSecond()
    {
        _content.WithDemoCourse();
        _content.Write("demo/03-more/module.md", "---\ntitle: More\nslug: basics\n---\nSummary.\n");
        _content.Write("demo/03-more/01-fifth.md", ContentFolder.Lesson("Fifth"));

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/03-more/module.md", 3, "duplicate module slug 'basics': demo/01-basics/module.md already uses it");
        Assert.Equal(["basics", "advanced"], snapshot.Courses.Single().Modules.Select(m => m.Slug));
    }

    [Fact]
    public async Task Read_ReportsDuplicateLessonSlug_AcrossModules_NamingBothFiles()
    {
        _content.WithDemoCourse();
        _content.Write("demo/02-advanced/03-copy.md", ContentFolder.Lesson("Copy", slug: "first"));

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/02-advanced/03-copy.md", 3, "duplicate lesson slug 'first': demo/01-basics/01-first.md already uses it");
        Assert.Equal(["first", "second", "third", "fourth"], Lessons(snapshot).Select(l => l.Slug));
    }

    [Fact]
    public async Task Read_WarnsAboutFolderWithoutCourseYml_ButIgnoresHiddenFoldersReadmeAndLicence()
    {
        _content.WithDemoCourse();
        _content.Write("drafts/notes.md", "Notes.");
        _content.Write(".git/config", "[core]");
        _content.Write("README.md", "# Content");
        _content.Write("LICENSE.md", "CC BY 4.0");

        var snapshot = await ReadAsync();

        var issue = Assert.Single(snapshot.Issues);
        Assert.Equal(new ContentIssue("drafts", 0, "folder ignored: it has no course.yml", ContentIssueSeverity.Warning), issue);
    }

    [Fact]
    public async Task Read_OrdersByTheNumberInTheName_AndTakesSlugsFromNamesOrFrontMatter()
    {
        _content.WithDemoCourse();
        _content.Write("demo/10-last/module.md", ContentFolder.Module("Last"));
        _content.Write("demo/10-last/10-ten.md", ContentFolder.Lesson("Ten"));
        _content.Write("demo/10-last/9-nine.md", ContentFolder.Lesson("Nine", slug: "named-nine"));

        var snapshot = await ReadAsync();

        var course = snapshot.Courses.Single();
        Assert.Equal(["basics", "advanced", "last"], course.Modules.Select(m => m.Slug));
        Assert.Equal([("named-nine", 1), ("ten", 2)], course.Modules[2].Lessons.Select(l => (l.Slug, l.Position)));
        Assert.Equal("10-last", course.Modules[2].FolderName);
        Assert.Equal(3, course.Modules[2].Position);
    }

    [Fact]
    public async Task Read_ReportsMissingModuleMd_AndKeepsTheSlugsOfItsLessons()
    {
        _content.WithDemoCourse();
        _content.Delete("demo/02-advanced/module.md");

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/02-advanced", 0, "missing module.md");
        var course = snapshot.Courses.Single();
        Assert.Equal(["basics"], course.Modules.Select(m => m.Slug));
        Assert.Contains("advanced", course.UnreadableModuleSlugs);
        Assert.Equal(["fourth", "third"], course.UnreadableLessonSlugs.Order());
    }

    [Fact]
    public async Task Read_WarnsAboutUnknownFields_AndStillLoads()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "---\ntitle: Second lesson\nminutes: 20\nobjectives: [One.]\nduration: 3\n---\nText.\n");

        var snapshot = await ReadAsync();

        var issue = Assert.Single(snapshot.Issues);
        Assert.Equal(("demo/01-basics/02-second.md", 5, ContentIssueSeverity.Warning), (issue.File, issue.Line, issue.Severity));
        Assert.StartsWith("unknown field 'duration'", issue.Reason, StringComparison.Ordinal);
        Assert.Contains(Lessons(snapshot), l => l.Slug == "second");
    }

    [Fact]
    public async Task Read_ReportsInvalidSlug_AndSkipsTheLesson()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/03-third.md", ContentFolder.Lesson("Bad", slug: "Not A Slug"));

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/01-basics/03-third.md", 3, "invalid slug 'Not A Slug'");
        Assert.Equal(4, Lessons(snapshot).Count());
    }

    [Fact]
    public async Task Read_ReportsMinutesThatAreNotAWholeNumber_AndStillLoadsTheLesson()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "---\ntitle: Second lesson\nminutes: about ten\nobjectives: [One.]\n---\nText.\n");

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/01-basics/02-second.md", 3, "field 'minutes' must be a whole number");
        Assert.Equal(0, Lessons(snapshot).Single(l => l.Slug == "second").Minutes);
    }

    [Fact]
    public async Task Read_AcceptsWindowsLineEndingsAndAByteOrderMark()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "\uFEFF---\r\ntitle: Second lesson\r\nminutes: 20\r\nobjectives:\r\n  - One.\r\n---\r\n## Second\r\n\r\nText.\r\n");

        var snapshot = await ReadAsync();

        Assert.Empty(snapshot.Issues);
        var lesson = Lessons(snapshot).Single(l => l.Slug == "second");
        Assert.Equal(("Second lesson", 20, "One."), (lesson.Title, lesson.Minutes, lesson.Objectives.Single()));
        Assert.StartsWith("<h2 id=\"second\">Second</h2>", lesson.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_RoundsHoursToOneDecimal_WithAWarning()
    {
        _content.WithDemoCourse();
        _content.Write("demo/course.yml", ContentFolder.CourseYml(hours: "2.25"));

        var snapshot = await ReadAsync();

        Assert.Equal(2.3m, snapshot.Courses.Single().Hours);
        var issue = Assert.Single(snapshot.Issues);
        Assert.Equal(("demo/course.yml", 6, ContentIssueSeverity.Warning), (issue.File, issue.Line, issue.Severity));
    }

    [Fact]
    public async Task Read_ReportsModuleWithoutTitle_AndSkipsItWithItsLessons()
    {
        _content.WithDemoCourse();
        _content.Write("demo/02-advanced/module.md", "---\nslug: advanced\n---\nSummary.\n");

        var snapshot = await ReadAsync();

        AssertIssue(snapshot, "demo/02-advanced/module.md", 1, "missing required field 'title'");
        AssertIssue(snapshot, "demo/02-advanced/module.md", 0, "module skipped, with its lessons");
        var course = snapshot.Courses.Single();
        Assert.Equal(["basics"], course.Modules.Select(m => m.Slug));
        Assert.Equal(["fourth", "third"], course.UnreadableLessonSlugs.Order());
    }

    private async Task<ContentSnapshot> ReadAsync() => await ContentReader.ReadAsync(_content.Root, Ct);

    private static IEnumerable<LessonSource> Lessons(ContentSnapshot snapshot) =>
        snapshot.Courses.SelectMany(c => c.Modules).SelectMany(m => m.Lessons);

    private static void AssertIssue(ContentSnapshot snapshot, string file, int line, string reasonStart) =>
        Assert.True(
            snapshot.Issues.Any(i => i.File == file && i.Line == line && i.Severity == ContentIssueSeverity.Error
                                     && i.Reason.StartsWith(reasonStart, StringComparison.Ordinal)),
            $"Expected an error at {file}:{line} starting with \"{reasonStart}\"; got:\n{string.Join('\n', snapshot.Issues)}");
}
