using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Tests.Content;
using Cistrat.Learning.Core.Tests.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Tests.Live;

/// <summary>LiveSessionService over a real SQLite database.</summary>
public sealed class LiveSessionServiceTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotificationSeed Seed => new(database, _clock);

    public async ValueTask InitializeAsync()
    {
        await database.ResetAsync(Ct);
        await Seed.UserAsync("coord");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task EditsRaiseTheRoomsVersion_UnderARetryingExecutionStrategy_AsOnSqlServer()
    {
        var course = await Seed.CourseAsync();
        var cohort = await Seed.CohortAsync(course.Id, new DateOnly(2026, 2, 1), new DateOnly(2026, 6, 30));
        var draft = new SessionDraft("Opening lecture", "", new DateTime(2026, 3, 12, 9, 0, 0), "Africa/Addis_Ababa", 90, null, false, []);

        await using var db = database.CreateRetryingContext();
        var sessions = new LiveSessionService(db, _clock);
        var session = await sessions.CreateAsync(cohort, draft, "coord", Ct);
        var rescheduled = await sessions.UpdateAsync(session, draft with { DurationMinutes = 120 }, Ct);
        var cancelled = await sessions.SetCancelledAsync(session, cancelled: true, Ct);

        await using var check = database.CreateContext();
        var stored = await check.LiveSessions.AsNoTracking().SingleAsync(s => s.Id == session.Id, Ct);
        Assert.Equal((rescheduled + 1, cancelled, true, 120), (cancelled, stored.Version, stored.Cancelled, stored.DurationMinutes));
        Assert.Equal(stored.Version, session.Version);
    }
}
