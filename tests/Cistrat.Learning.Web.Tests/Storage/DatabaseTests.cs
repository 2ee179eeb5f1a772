using System.Net;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Storage;

public sealed class DatabaseTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>
{
    [Fact]
    public void SqliteMigrations_MatchTheModel()
    {
        using var db = new Migrations.Sqlite.DesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "The model changed: add a SQLite migration (see README).");
    }

    [Fact]
    public void SqlServerMigrations_MatchTheModel_AndTheIdempotentScriptGenerates()
    {
        using var db = new Migrations.SqlServer.DesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "The model changed: add a SQL Server migration (see README).");
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("CREATE TABLE [Courses]", script, StringComparison.Ordinal);
        Assert.Contains("IF NOT EXISTS", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_Answers200_WhenTheDatabaseIsReachable()
    {
        using var client = app.CreateBrowser();
        var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EmbeddedDefault_KeepsItsDatabase_InTheDataFolder_InWalMode()
    {
        if (LearningAppFactory.SqlServerConnectionString is not null)
            Assert.Skip("This run targets SQL Server.");
        await app.WithDbAsync(db => db.Courses.AnyAsync());
        var file = Path.Combine(app.DataPath, "learning.db");
        Assert.True(File.Exists(file), $"No database at {file}");
        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        Assert.True(Directory.Exists(Path.Combine(app.DataPath, "keys")), "Data-protection keys belong in the data folder.");
    }

    [Fact]
    public async Task Startup_ImportsContent_FromTheConfiguredFolder()
    {
        var titles = await app.WithDbAsync(db => db.Courses.Select(c => c.Title).ToListAsync());
        Assert.Equal([TestContent.CourseTitle], titles);
        var lessons = await app.WithDbAsync(db => db.Lessons.CountAsync(l => l.RetiredAt == null));
        Assert.Equal(TestContent.LessonSlugs.Length, lessons);
        Assert.NotNull(app.Services.GetService<LearningDbContext>());
    }
}
