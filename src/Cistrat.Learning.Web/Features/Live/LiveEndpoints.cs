using System.Security.Claims;
using System.Text;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>Calendars (one session, or a person's secret feed) and the page images of PDF decks.</summary>
public static class LiveEndpoints
{
    public static void MapLiveEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/sessions/{id:int}/calendar.ics", SessionCalendarAsync).RequireAuthorization();
        app.MapGet("/calendar/{token}.ics", FeedAsync).AllowAnonymous().RequireRateLimiting(Policies.FeedRateLimit);
        app.MapGet("/sessions/{id:int}/slides/{page:int}", SlideAsync).RequireAuthorization();
    }

    private static async Task<IResult> SessionCalendarAsync(
        int id, ClaimsPrincipal user, RoomAccess access, LearningDbContext db, HttpContext context, TimeProvider time, CancellationToken ct)
    {
        if (await access.RoleAsync(id, user, ct) == RoomRole.None)
            return Results.NotFound();
        var session = await db.LiveSessions.AsNoTracking().Include(s => s.Cohort).SingleAsync(s => s.Id == id, ct);
        var ics = ICalendar.Write([EventOf(session, context.Request)], session.Title, time.GetUtcNow().UtcDateTime);
        return Results.File(Encoding.UTF8.GetBytes(ics), ICalendar.ContentType, $"session-{id}.ics");
    }

    private static async Task<IResult> FeedAsync(
        string token, LiveSessionService sessions, HttpContext context, TimeProvider time, CancellationToken ct)
    {
        if (await sessions.FeedOwnerAsync(token, ct) is not { } userId)
            return Results.NotFound();
        var all = await sessions.SessionsOfAsync(userId, ct);
        var ics = ICalendar.Write(all.Select(s => EventOf(s, context.Request)), "Cistrat.Learning", time.GetUtcNow().UtcDateTime);
        context.Response.Headers.CacheControl = "private, no-cache";
        return Results.Text(ics, ICalendar.ContentType);
    }

    private static async Task<IResult> SlideAsync(
        int id, int page, ClaimsPrincipal user, RoomAccess access, PdfSlides slides, HttpContext context, CancellationToken ct)
    {
        if (await access.RoleAsync(id, user, ct) == RoomRole.None || slides.Page(id, page) is not { } file)
            return Results.NotFound();
        // A replaced deck keeps the page's URL: the browser revalidates its copy (a small 304 when unchanged).
        context.Response.Headers.CacheControl = "private, no-cache";
        return Results.File(file.FullName, "image/png", lastModified: file.LastWriteTimeUtc, enableRangeProcessing: false);
    }

    public static CalendarEvent EventOf(LiveSession session, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return EventOf(session, new Uri($"{request.Scheme}://{request.Host}/"));
    }

    /// <summary>The session as a calendar event whose links point into the site at <paramref name="site"/>.</summary>
    public static CalendarEvent EventOf(LiveSession session, Uri site)
    {
        ArgumentNullException.ThrowIfNull(session);
        var room = new Uri(site, $"/sessions/{session.Id}/room");
        var description = new StringBuilder(session.Description);
        if (description.Length > 0)
            description.Append("\n\n");
        description.Append(FormattableString.Invariant($"Room: {room}"));
        if (session.AvLink is { } av)
            description.Append(FormattableString.Invariant($"\nAudio and video: {av}"));
        var summary = session.Cohort is { } cohort ? $"{session.Title} ({cohort.Name})" : session.Title;
        return new CalendarEvent(
            $"session-{session.Uid:N}@cistrat.learning", session.Sequence, session.StartsAt, session.EndsAt,
            summary, description.ToString(), session.AvLink ?? room.ToString(), room, session.Cancelled,
            session.UpdatedAt == default ? session.CreatedAt : session.UpdatedAt);
    }
}
