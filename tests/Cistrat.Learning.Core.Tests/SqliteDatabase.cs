using Cistrat.Learning.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Cistrat.Learning.Core.Tests;

/// <summary>A real SQLite database file, migrated once per test class and emptied before each test.</summary>
public sealed class SqliteDatabase : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cistrat-core-tests-{Guid.NewGuid():N}.db");

    public LearningDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlite($"Data Source={_path}", o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite))
            .Options);

    /// <summary>
    /// A context whose execution strategy retries, as SQL Server's does in production (EnableRetryOnFailure): such a
    /// strategy refuses a transaction begun outside it, which SQLite's default strategy lets pass.
    /// </summary>
    public LearningDbContext CreateRetryingContext() =>
        new(new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlite($"Data Source={_path}", o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite).ExecutionStrategy(d => new Retrying(d)))
            .Options);

    public async ValueTask InitializeAsync()
    {
        await using var db = CreateContext();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Deletes every row the tests write, dependents first.</summary>
    public async Task ResetAsync(CancellationToken ct)
    {
        await using var db = CreateContext();
        await db.OutgoingMail.ExecuteDeleteAsync(ct);
        await db.CertificateAudit.ExecuteDeleteAsync(ct);
        await db.CertificateBatchItems.ExecuteDeleteAsync(ct);
        await db.CertificateBatches.ExecuteDeleteAsync(ct);
        await db.CertificateFiles.ExecuteDeleteAsync(ct);
        await db.Certificates.ExecuteDeleteAsync(ct);
        await db.AnnouncementRecipients.ExecuteDeleteAsync(ct);
        await db.Announcements.ExecuteDeleteAsync(ct);
        await db.NotificationPreferences.ExecuteDeleteAsync(ct);
        await db.AttendanceVisits.ExecuteDeleteAsync(ct);
        await db.QuestionVotes.ExecuteDeleteAsync(ct);
        await db.RoomQuestions.ExecuteDeleteAsync(ct);
        await db.PollVotes.ExecuteDeleteAsync(ct);
        await db.RoomPolls.ExecuteDeleteAsync(ct);
        await db.ChatMessages.ExecuteDeleteAsync(ct);
        await db.RoomMutes.ExecuteDeleteAsync(ct);
        await db.LiveSessionLecturers.ExecuteDeleteAsync(ct);
        await db.LiveSessions.ExecuteDeleteAsync(ct);
        await db.CalendarFeeds.ExecuteDeleteAsync(ct);
        await db.OutboxMessages.ExecuteDeleteAsync(ct);
        await db.CompletionRecords.ExecuteDeleteAsync(ct);
        await db.QuizAttempts.ExecuteDeleteAsync(ct);
        await db.Invitations.ExecuteDeleteAsync(ct);
        await db.Enrolments.ExecuteDeleteAsync(ct);
        await db.CohortStaff.ExecuteDeleteAsync(ct);
        await db.Cohorts.ExecuteDeleteAsync(ct);
        await db.LessonProgress.ExecuteDeleteAsync(ct);
        await db.Quizzes.ExecuteDeleteAsync(ct);
        await db.Lessons.ExecuteDeleteAsync(ct);
        await db.Modules.ExecuteDeleteAsync(ct);
        await db.CourseTranslations.ExecuteDeleteAsync(ct);
        await db.Courses.ExecuteDeleteAsync(ct);
        await db.Users.ExecuteDeleteAsync(ct);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Retries like SQL Server's strategy; no SQLite error is transient to it, so a test sees the first failure.</summary>
internal sealed class Retrying(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, maxRetryCount: 3, maxRetryDelay: TimeSpan.FromMilliseconds(10))
{
    protected override bool ShouldRetryOn(Exception exception) => false;
}
