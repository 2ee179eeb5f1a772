using Cistrat.Learning.Core.Content;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cistrat.Learning.Core.Tests.Content;

/// <summary>The repository's own content/ folder, imported as the web app imports it at start-up.</summary>
public sealed class RealContentTests(SqliteDatabase database, ITestOutputHelper output) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await database.ResetAsync(Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Import_RealContentFolder_HasNoErrors_AndAtLeastThreeCourses()
    {
        var result = await ImportAsync();

        foreach (var issue in result.Issues)
            output.WriteLine($"{issue.Severity}: {issue}");
        Assert.Empty(result.Issues.Where(i => i.Severity == ContentIssueSeverity.Error).Select(i => i.ToString()));
        await using var db = database.CreateContext();
        Assert.True(await db.Courses.CountAsync(Ct) >= 3, "content/ should hold at least three courses");
        Assert.DoesNotContain(await db.Lessons.ToListAsync(Ct), l => l.WordCount == 0 || l.Html.Length == 0);
    }

    [Fact]
    public async Task Import_RealContentFolder_SecondImportChangesNothing()
    {
        await ImportAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));

        var second = await ImportAsync();

        Assert.Equal((0, 0, 0, 0, 0, 0),
            (second.CoursesImported, second.LessonsAdded, second.LessonsUpdated, second.LessonsRetired, second.ModulesRetired, second.CoursesRetired));
    }

    private async Task<ContentImportResult> ImportAsync()
    {
        await using var db = database.CreateContext();
        return await new ContentImporter(db, _clock, NullLogger<ContentImporter>.Instance).ImportAsync(ContentRoot(), Ct);
    }

    private static string ContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cistrat.Learning.sln")))
                return Path.Combine(dir.FullName, "content");
        }

        throw new InvalidOperationException($"No Cistrat.Learning.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
