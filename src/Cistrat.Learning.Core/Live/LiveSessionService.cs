using System.Security.Cryptography;
using System.Text;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Live;

/// <summary>What an organiser enters: the start as a local time in <see cref="TimeZoneId"/>.</summary>
public sealed record SessionDraft(
    string Title, string Description, DateTime StartLocal, string TimeZoneId, int DurationMinutes,
    string? AvLink, bool Premoderation, IReadOnlyList<string> LecturerIds);

/// <summary>Scheduling: sessions, their decks, calendars. Callers have checked that the person may manage the cohort.</summary>
public sealed class LiveSessionService(LearningDbContext db, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The start in UTC, or an error for a time that does not exist in that zone (a clock moving forward).</summary>
    public static DateTime ToUtc(DateTime local, string timeZoneId)
    {
        var zone = TimeZones.Find(timeZoneId);
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
            throw new ArgumentException("That time does not exist in this time zone (the clocks move forward then).", nameof(local));
        return TimeZoneInfo.ConvertTimeToUtc(unspecified, zone);
    }

    public async Task<LiveSession> CreateAsync(int cohortId, SessionDraft draft, string organiserId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var session = new LiveSession { CohortId = cohortId, Title = draft.Title, CreatedById = organiserId, CreatedAt = Now };
        Apply(session, draft);
        await SetLecturersAsync(session, cohortId, draft.LecturerIds, ct);
        db.LiveSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return session;
    }

    /// <summary>Applies an edit; a change a calendar shows bumps SEQUENCE. Returns the room's new version.</summary>
    public async Task<long> UpdateAsync(LiveSession session, SessionDraft draft, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(draft);
        var before = (session.Title, session.Description, session.StartsAt, session.DurationMinutes, session.AvLink);
        Apply(session, draft);
        if (before != (session.Title, session.Description, session.StartsAt, session.DurationMinutes, session.AvLink))
            session.Sequence++;
        await SetLecturersAsync(session, session.CohortId, draft.LecturerIds, ct);
        return await SaveWithVersionAsync(session, ct);
    }

    public async Task<long> SetCancelledAsync(LiveSession session, bool cancelled, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Cancelled == cancelled)
            return session.Version;
        session.Cancelled = cancelled;
        session.Sequence++;
        return await SaveWithVersionAsync(session, ct);
    }

    public async Task<long> SetMarkdownDeckAsync(LiveSession session, SlideDeck deck, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.UseMarkdownDeck(deck);
        return await SaveWithVersionAsync(session, ct);
    }

    public async Task<long> SetPdfDeckAsync(LiveSession session, string title, int pages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.UseDeck(DeckKind.Pdf, title, pages, []);
        return await SaveWithVersionAsync(session, ct);
    }

    public async Task<long> RemoveDeckAsync(LiveSession session, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.UseDeck(DeckKind.None, "", 0, []);
        return await SaveWithVersionAsync(session, ct);
    }

    /// <summary>Sessions of the cohorts where the person is an active trainee or staff, in start order.</summary>
    public Task<List<LiveSession>> SessionsOfAsync(string userId, CancellationToken ct = default) =>
        db.LiveSessions.AsNoTracking().Include(s => s.Cohort)
            .Where(s => db.Enrolments.Any(e => e.CohortId == s.CohortId && e.UserId == userId && e.Status == EnrolmentStatus.Active)
                || db.CohortStaff.Any(c => c.CohortId == s.CohortId && c.UserId == userId))
            .OrderBy(s => s.StartsAt).ToListAsync(ct);

    /// <summary>A new secret feed address for the person; the old one stops working at once.</summary>
    public async Task<string> ResetFeedAsync(string userId, CancellationToken ct = default)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        await db.CalendarFeeds.Where(f => f.UserId == userId).ExecuteDeleteAsync(ct);
        db.CalendarFeeds.Add(new CalendarFeed { UserId = userId, TokenHash = HashToken(token), CreatedAt = Now });
        await db.SaveChangesAsync(ct);
        return token;
    }

    public Task<int> RevokeFeedAsync(string userId, CancellationToken ct = default) =>
        db.CalendarFeeds.Where(f => f.UserId == userId).ExecuteDeleteAsync(ct);

    public Task<bool> HasFeedAsync(string userId, CancellationToken ct = default) =>
        db.CalendarFeeds.AnyAsync(f => f.UserId == userId, ct);

    public async Task<string?> FeedOwnerAsync(string token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
            return null;
        var hash = HashToken(token);
        return await db.CalendarFeeds.Where(f => f.TokenHash == hash).Select(f => f.UserId).SingleOrDefaultAsync(ct);
    }

    private async Task<long> SaveWithVersionAsync(LiveSession session, CancellationToken ct)
    {
        session.UpdatedAt = Now;
        // Changes are accepted only once committed: a failed attempt is rolled back, and a retry saves them again.
        var version = await RoomVersion.ChangeAsync(db, session.Id, () => db.SaveChangesAsync(acceptAllChangesOnSuccess: false, ct), ct);
        db.ChangeTracker.AcceptAllChanges();
        session.Version = version;
        db.Entry(session).Property(s => s.Version).OriginalValue = version;
        return version;
    }

    private void Apply(LiveSession session, SessionDraft draft)
    {
        session.Title = draft.Title.Trim();
        session.Description = draft.Description.Trim();
        session.OrganiserTimeZoneId = draft.TimeZoneId;
        session.StartsAt = ToUtc(draft.StartLocal, draft.TimeZoneId);
        session.DurationMinutes = draft.DurationMinutes;
        session.AvLink = string.IsNullOrWhiteSpace(draft.AvLink) ? null : draft.AvLink.Trim();
        session.Premoderation = draft.Premoderation;
        session.UpdatedAt = Now;
    }

    private async Task SetLecturersAsync(LiveSession session, int cohortId, IReadOnlyList<string> lecturerIds, CancellationToken ct)
    {
        var staff = await db.CohortStaff.Where(s => s.CohortId == cohortId).Select(s => s.UserId).ToListAsync(ct);
        var wanted = lecturerIds.Where(staff.Contains).Distinct().ToList();
        if (session.Id != 0)
        {
            var existing = await db.LiveSessionLecturers.Where(l => l.SessionId == session.Id).ToListAsync(ct);
            db.LiveSessionLecturers.RemoveRange(existing.Where(l => !wanted.Contains(l.UserId)));
            wanted.RemoveAll(id => existing.Any(l => l.UserId == id));
            foreach (var id in wanted)
                db.LiveSessionLecturers.Add(new LiveSessionLecturer { SessionId = session.Id, UserId = id });
            return;
        }

        foreach (var id in wanted)
            session.Lecturers.Add(new LiveSessionLecturer { UserId = id });
    }

    private static string HashToken(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>Scheduled minutes of a cohort's ended sessions, and minutes attended per person.</summary>
public sealed record AttendanceSummary(int ScheduledMinutes, IReadOnlyDictionary<string, double> AttendedMinutes)
{
    public static async Task<AttendanceSummary> ForCohortAsync(LearningDbContext db, int cohortId, DateTime utcNow, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sessions = await db.LiveSessions.AsNoTracking().Where(s => s.CohortId == cohortId && !s.Cancelled).ToListAsync(ct);
        var ended = sessions.Where(s => s.EndsAt <= utcNow).ToDictionary(s => s.Id);
        var ids = ended.Keys.ToList();
        var visits = await db.AttendanceVisits.AsNoTracking().Where(v => ids.Contains(v.SessionId)).ToListAsync(ct);
        var minutes = new Dictionary<string, double>();
        foreach (var group in visits.GroupBy(v => (v.UserId, v.SessionId)))
        {
            var session = ended[group.Key.SessionId];
            minutes[group.Key.UserId] = minutes.GetValueOrDefault(group.Key.UserId)
                + Attendance.Attended(group, session.StartsAt, session.EndsAt, utcNow).TotalMinutes;
        }

        return new AttendanceSummary(ended.Values.Sum(s => s.DurationMinutes), minutes);
    }

    public double? ShareOf(string userId) =>
        ScheduledMinutes == 0 ? null : Math.Min(1, AttendedMinutes.GetValueOrDefault(userId) / ScheduledMinutes);
}
