using System.Security.Cryptography;
using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cistrat.Learning.Core.Tests.Content;

public sealed class ContentImporterTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 30, 0, TimeSpan.Zero);
    private readonly ContentFolder _content = new();
    private readonly ManualClock _clock = new(Start);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await database.ResetAsync(Ct);

    public ValueTask DisposeAsync()
    {
        _content.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Import_LoadsCourse_WithModulesAndLessonsInOrder()
    {
        _content.WithDemoCourse();

        var result = await ImportAsync();

        Assert.DoesNotContain(result.Issues, i => i.Severity == ContentIssueSeverity.Error);
        Assert.Equal((1, 4, 0, 0), (result.CoursesImported, result.LessonsAdded, result.LessonsUpdated, result.LessonsRetired));
        await using var db = database.CreateContext();
        var course = await db.Courses.Include(c => c.Modules).ThenInclude(m => m.Lessons).SingleAsync(Ct);
        Assert.Equal(("demo", "Demo course", "A short course used by the tests.", "en", "CC-BY-4.0"),
            (course.Slug, course.Title, course.Summary, course.Language, course.Licence));
        Assert.Equal("Ada Lovelace, Grace Hopper", course.Authors);
        Assert.Equal(6m, course.EstimatedHours);
        Assert.Equal("ai data", course.Themes);
        Assert.Null(course.RetiredAt);
        Assert.Equal(["basics", "advanced"], course.Modules.OrderBy(m => m.Position).Select(m => m.Slug));
        Assert.Equal([1, 2], course.Modules.OrderBy(m => m.Position).Select(m => m.Position));
        var basics = course.Modules.Single(m => m.Slug == "basics");
        Assert.Equal("Basics", basics.Title);
        Assert.Equal("<p>You met the <em>basics</em>.</p>", basics.SummaryHtml.Trim());
        Assert.Equal(["first", "second"], basics.Lessons.OrderBy(l => l.Position).Select(l => l.Slug));
        Assert.Equal([1, 2], basics.Lessons.OrderBy(l => l.Position).Select(l => l.Position));
        Assert.All(await db.Lessons.ToListAsync(Ct), l => Assert.Equal(course.Id, l.CourseId));
    }

    [Fact]
    public async Task Import_StoresTranslationsObjectivesHtmlAndHashes()
    {
        _content.WithDemoCourse();

        await ImportAsync();

        await using var db = database.CreateContext();
        var course = await db.Courses.Include(c => c.Translations).SingleAsync(Ct);
        Assert.Equal(["ar", "fr"], course.Translations.Select(t => t.Language).Order());
        Assert.Equal("Cours de démonstration", course.TitleIn("fr"));
        Assert.Equal("دورة قصيرة للاختبارات.", course.SummaryIn("ar"));
        Assert.Contains("<h2 id=\"terms\">Terms</h2>", course.GlossaryHtml, StringComparison.Ordinal);

        var first = await db.Lessons.SingleAsync(l => l.Slug == "first", Ct);
        Assert.Equal("First lesson", first.Title);
        Assert.Equal(20, first.Minutes);
        Assert.Equal("Name the parts.\nExplain the cycle.", first.Objectives);
        Assert.Equal("<h2 id=\"why-it-matters\">Why it matters</h2>\n<p>One two three four five.</p>", first.Html.Trim());
        Assert.Equal(8, first.WordCount);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_content.ReadBytes("demo/01-basics/01-first.md"))), first.SourceHash);

        var fourth = await db.Lessons.SingleAsync(l => l.Slug == "fourth", Ct);
        Assert.Contains("<img src=\"/course-files/demo/02-advanced/images/cycle.svg\" alt=\"The policy cycle\">", fourth.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_Twice_ChangesNothingTheSecondTime()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        var before = await SnapshotAsync();
        _clock.Advance(TimeSpan.FromHours(1));

        var second = await ImportAsync();

        Assert.Equal((0, 0, 0, 0, 0, 0), (second.CoursesImported, second.LessonsAdded, second.LessonsUpdated, second.LessonsRetired, second.ModulesRetired, second.CoursesRetired));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Import_UpdatesEditedLesson_AndLeavesTheOthersAlone()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        _clock.Advance(TimeSpan.FromDays(1));
        _content.Write("demo/01-basics/02-second.md", ContentFolder.Lesson("Second lesson, revised", "## Second\n\nNew text.", minutes: 45));

        var result = await ImportAsync();

        Assert.Equal((1, 0, 1, 0), (result.CoursesImported, result.LessonsAdded, result.LessonsUpdated, result.LessonsRetired));
        await using var db = database.CreateContext();
        var second = await db.Lessons.SingleAsync(l => l.Slug == "second", Ct);
        Assert.Equal(("Second lesson, revised", 45), (second.Title, second.Minutes));
        Assert.Contains("<p>New text.</p>", second.Html, StringComparison.Ordinal);
        Assert.Equal(_clock.Now.UtcDateTime, (await db.Courses.SingleAsync(Ct)).ImportedAt);
    }

    [Fact]
    public async Task Import_RetiresRemovedLesson_AndKeepsProgress()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        var lessonId = await AddProgressAsync("second");
        _clock.Advance(TimeSpan.FromDays(2));
        _content.Delete("demo/01-basics/02-second.md");

        var result = await ImportAsync();

        Assert.Equal(1, result.LessonsRetired);
        await using var db = database.CreateContext();
        var lesson = await db.Lessons.SingleAsync(l => l.Id == lessonId, Ct);
        Assert.Equal(_clock.Now.UtcDateTime, lesson.RetiredAt);
        Assert.Equal(DateTimeKind.Utc, lesson.RetiredAt!.Value.Kind);
        Assert.True(await db.LessonProgress.AnyAsync(p => p.LessonId == lessonId, Ct));
        Assert.Null((await db.Lessons.SingleAsync(l => l.Slug == "first", Ct)).RetiredAt);
    }

    [Fact]
    public async Task Import_RestoresRetiredLesson_WhenItsFileComesBack()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        var lessonId = await AddProgressAsync("second");
        var text = _content.Read("demo/01-basics/02-second.md");
        _content.Delete("demo/01-basics/02-second.md");
        await ImportAsync();
        _content.Write("demo/01-basics/02-second.md", text);

        var result = await ImportAsync();

        Assert.Equal((0, 1, 0), (result.LessonsAdded, result.LessonsUpdated, result.LessonsRetired));
        await using var db = database.CreateContext();
        var lesson = await db.Lessons.SingleAsync(l => l.Slug == "second", Ct);
        Assert.Equal(lessonId, lesson.Id);
        Assert.Null(lesson.RetiredAt);
        Assert.True(await db.LessonProgress.AnyAsync(p => p.LessonId == lessonId, Ct));
    }

    [Fact]
    public async Task Import_RetiresRemovedModuleWithItsLessons_AndRemovedCourse()
    {
        _content.WithDemoCourse().WithDemoCourse(folder: "other", slug: "other");
        await ImportAsync();
        _content.Delete("demo/02-advanced");
        _content.Delete("other");

        var result = await ImportAsync();

        Assert.Equal((1, 2, 1), (result.ModulesRetired, result.LessonsRetired, result.CoursesRetired));
        await using var db = database.CreateContext();
        var demo = await db.Courses.Include(c => c.Modules).SingleAsync(c => c.Slug == "demo", Ct);
        Assert.Null(demo.RetiredAt);
        Assert.NotNull(demo.Modules.Single(m => m.Slug == "advanced").RetiredAt);
        Assert.Null(demo.Modules.Single(m => m.Slug == "basics").RetiredAt);
        Assert.Equal(["fourth", "third"], await db.Lessons.Where(l => l.CourseId == demo.Id && l.RetiredAt != null).Select(l => l.Slug).OrderBy(s => s).ToListAsync(Ct));
        Assert.NotNull((await db.Courses.SingleAsync(c => c.Slug == "other", Ct)).RetiredAt);
        Assert.Equal(8, await db.Lessons.CountAsync(Ct));
    }

    [Fact]
    public async Task Import_MovesLessonToAnotherModule_KeepingItsRow()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        var id = await LessonIdAsync("second");
        _content.Move("demo/01-basics/02-second.md", "demo/02-advanced/03-second.md");

        var result = await ImportAsync();

        Assert.Equal((0, 1, 0), (result.LessonsAdded, result.LessonsUpdated, result.LessonsRetired));
        await using var db = database.CreateContext();
        var lesson = await db.Lessons.Include(l => l.Module).SingleAsync(l => l.Slug == "second", Ct);
        Assert.Equal((id, "advanced", 3), (lesson.Id, lesson.Module!.Slug, lesson.Position));
        Assert.Equal(1, (await db.Lessons.SingleAsync(l => l.Slug == "first", Ct)).Position);
    }

    [Fact]
    public async Task Import_RestoresRetiredCourse_WhenItsFolderComesBack()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        _content.Move("demo", "parked/demo");
        await ImportAsync();
        _content.Move("parked/demo", "demo");
        _content.Delete("parked");

        var result = await ImportAsync();

        Assert.Equal((1, 0, 0), (result.CoursesImported, result.LessonsAdded, result.CoursesRetired));
        await using var db = database.CreateContext();
        Assert.Null((await db.Courses.SingleAsync(Ct)).RetiredAt);
    }

    [Fact]
    public async Task Import_UpdatesTranslations_AddingChangingAndRemovingLanguages()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        _content.Write("demo/course.yml", ContentFolder.CourseYml(translations: """
            translations:
              fr: { title: Cours révisé, summary: Un cours pour les tests. }
              es: { title: Curso de demostración, summary: Un curso para las pruebas. }

            """));

        await ImportAsync();

        await using var db = database.CreateContext();
        var translations = await db.CourseTranslations.OrderBy(t => t.Language).ToListAsync(Ct);
        Assert.Equal([("es", "Curso de demostración"), ("fr", "Cours révisé")], translations.Select(t => (t.Language, t.Title)));
    }

    [Fact]
    public async Task Import_KeepsStoredLesson_WhenItsFileNoLongerParses()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        Lesson stored;
        await using (var before = database.CreateContext())
            stored = await before.Lessons.AsNoTracking().SingleAsync(l => l.Slug == "second", Ct);
        _content.Write("demo/01-basics/02-second.md", "---\ntitle: Second lesson\nminutes: [20\n---\nBroken.\n");

        var result = await ImportAsync();

        Assert.Contains(result.Issues, i => i.File == "demo/01-basics/02-second.md" && i.Line == 3 && i.Severity == ContentIssueSeverity.Error);
        Assert.Equal((0, 0), (result.LessonsUpdated, result.LessonsRetired));
        await using var db = database.CreateContext();
        var lesson = await db.Lessons.SingleAsync(l => l.Slug == "second", Ct);
        Assert.Null(lesson.RetiredAt);
        Assert.Equal((stored.Html, stored.SourceHash), (lesson.Html, lesson.SourceHash));
    }

    [Fact]
    public async Task Import_KeepsStoredCourse_WhenCourseYmlBreaks()
    {
        _content.WithDemoCourse();
        await ImportAsync();
        _content.Write("demo/course.yml", "slug: demo\ntitle: Demo course\nsummary: [unclosed\nlanguage: en\n");
        _content.Write("demo/01-basics/02-second.md", ContentFolder.Lesson("Changed meanwhile"));

        var result = await ImportAsync();

        Assert.Contains(result.Issues, i => i.File == "demo/course.yml" && i.Line == 3 && i.Severity == ContentIssueSeverity.Error);
        Assert.Equal((0, 0, 0, 0), (result.CoursesImported, result.LessonsUpdated, result.LessonsRetired, result.CoursesRetired));
        await using var db = database.CreateContext();
        var course = await db.Courses.SingleAsync(Ct);
        Assert.Null(course.RetiredAt);
        Assert.Equal("Second lesson", (await db.Lessons.SingleAsync(l => l.Slug == "second", Ct)).Title);
    }

    [Fact]
    public async Task Import_StillLoadsTheOtherLessons_WhenOneIsBroken()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/02-second.md", "No front matter here.\n");

        var result = await ImportAsync();

        Assert.Contains(result.Issues, i => i.File == "demo/01-basics/02-second.md" && i.Line == 1 && i.Reason.StartsWith("missing front matter", StringComparison.Ordinal));
        Assert.Equal(3, result.LessonsAdded);
        await using var db = database.CreateContext();
        Assert.Equal(["first", "fourth", "third"], await db.Lessons.Select(l => l.Slug).OrderBy(s => s).ToListAsync(Ct));
    }

    [Fact]
    public async Task Import_LogsEachIssue_AndASummary()
    {
        _content.WithDemoCourse();
        _content.Write("demo/01-basics/03-broken.md", "---\nminutes: 5\n---\nNo title.\n");
        var logger = new ListLogger<ContentImporter>();

        await using var db = database.CreateContext();
        var result = await new ContentImporter(db, _clock, logger).ImportAsync(_content.Root, Ct);

        var issueLogs = logger.Entries.Where(e => e.Level is LogLevel.Warning or LogLevel.Error).ToList();
        Assert.Equal(result.Issues.Count, issueLogs.Count);
        Assert.Contains(issueLogs, e => e.Level == LogLevel.Error
            && e.Values.Contains(new("File", "demo/01-basics/03-broken.md")) && e.Values.Contains(new("Reason", "missing required field 'title'")));
        var summary = Assert.Single(logger.Entries, e => e.Level == LogLevel.Information);
        Assert.Contains(new KeyValuePair<string, object?>("LessonsAdded", 4), summary.Values);
    }

    [Fact]
    public async Task Import_Throws_WhenTheContentFolderDoesNotExist()
    {
        await using var db = database.CreateContext();
        var importer = new ContentImporter(db, _clock, NullLogger<ContentImporter>.Instance);

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => importer.ImportAsync(Path.Combine(_content.Root, "missing"), Ct));
    }

    private async Task<ContentImportResult> ImportAsync()
    {
        await using var db = database.CreateContext();
        return await new ContentImporter(db, _clock, NullLogger<ContentImporter>.Instance).ImportAsync(_content.Root, Ct);
    }

    private async Task<int> LessonIdAsync(string slug)
    {
        await using var db = database.CreateContext();
        return (await db.Lessons.SingleAsync(l => l.Slug == slug, Ct)).Id;
    }

    private async Task<int> AddProgressAsync(string lessonSlug)
    {
        await using var db = database.CreateContext();
        var lesson = await db.Lessons.SingleAsync(l => l.Slug == lessonSlug, Ct);
        var user = new ApplicationUser { UserName = "trainee@example.org", Email = "trainee@example.org" };
        db.Users.Add(user);
        db.LessonProgress.Add(new LessonProgress
        {
            UserId = user.Id, LessonId = lesson.Id, CourseId = lesson.CourseId,
            FirstVisitedAt = _clock.Now.UtcDateTime, LastVisitedAt = _clock.Now.UtcDateTime, Position = 0.5,
        });
        await db.SaveChangesAsync(Ct);
        return lesson.Id;
    }

    /// <summary>Every stored value the importer writes, as text, to compare two states of the database.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var db = database.CreateContext();
        var courses = (await db.Courses.AsNoTracking().OrderBy(c => c.Id).ToListAsync(Ct))
            .Select(c => string.Join("|", c.Id, c.Slug, c.Title, c.Summary, c.Authors, c.EstimatedHours, c.Themes, c.GlossaryHtml, c.RetiredAt, c.ImportedAt));
        var translations = (await db.CourseTranslations.AsNoTracking().OrderBy(t => t.Id).ToListAsync(Ct))
            .Select(t => string.Join("|", t.Id, t.Language, t.Title, t.Summary));
        var modules = (await db.Modules.AsNoTracking().OrderBy(m => m.Id).ToListAsync(Ct))
            .Select(m => string.Join("|", m.Id, m.Slug, m.Title, m.Position, m.SummaryHtml, m.RetiredAt));
        var lessons = (await db.Lessons.AsNoTracking().OrderBy(l => l.Id).ToListAsync(Ct))
            .Select(l => string.Join("|", l.Id, l.ModuleId, l.Slug, l.Title, l.Position, l.Minutes, l.Objectives, l.Html, l.WordCount, l.SourceHash, l.RetiredAt));
        return string.Join("\n", courses.Concat(translations).Concat(modules).Concat(lessons));
    }
}
