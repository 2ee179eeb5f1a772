using System.ComponentModel.DataAnnotations;
using Cistrat.Learning.Core;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Features.Cohorts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>Schedule a session (the cohort's lecturers and coordinators, admins), or edit, re-deck or cancel one.</summary>
[Authorize]
public class EditModel(
    LearningDbContext db,
    LiveSessionService sessions,
    CohortAccess cohorts,
    CourseSlideDecks decks,
    PdfSlides pdfs,
    RoomAccess rooms,
    IHubContext<LiveHub, ILiveClient> hub,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer,
    ILogger<EditModel> logger) : PageModel
{
    [BindProperty]
    public SessionInput Input { get; set; } = new();

    [BindProperty]
    public IFormFile? Pdf { get; set; }

    public int? SessionId { get; private set; }
    public int CohortId { get; private set; }
    public string CohortName { get; private set; } = "";
    public bool Cancelled { get; private set; }
    public string CurrentDeck { get; private set; } = "";
    public IReadOnlyList<(string Id, string Name)> Staff { get; private set; } = [];
    public IReadOnlyList<DeckInfo> Decks { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int? id, int? cohortId, CancellationToken ct)
    {
        if (await LoadAsync(id, cohortId, ct) is { } refusal)
            return refusal;
        if (id is null)
        {
            var cohort = await db.Cohorts.AsNoTracking().SingleAsync(c => c.Id == CohortId, ct);
            var zone = cohort.TimeZoneId;
            var tomorrow = TimeZones.ToLocal(time.GetUtcNow().UtcDateTime, zone).Date.AddDays(1).AddHours(14);
            Input = new SessionInput { StartLocal = tomorrow, TimeZoneId = zone, DurationMinutes = 90, LecturerIds = [.. Staff.Select(s => s.Id).Take(1)] };
            return Page();
        }

        var session = await db.LiveSessions.AsNoTracking().Include(s => s.Lecturers).SingleAsync(s => s.Id == id, ct);
        Input = new SessionInput
        {
            Title = session.Title, Description = session.Description, TimeZoneId = session.OrganiserTimeZoneId,
            StartLocal = TimeZones.ToLocal(session.StartsAt, session.OrganiserTimeZoneId), DurationMinutes = session.DurationMinutes,
            AvLink = session.AvLink, Premoderation = session.Premoderation, LecturerIds = [.. session.Lecturers.Select(l => l.UserId)],
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int? id, int? cohortId, CancellationToken ct)
    {
        if (await LoadAsync(id, cohortId, ct) is { } refusal)
            return refusal;
        if (!TimeZones.IsValid(Input.TimeZoneId))
            ModelState.AddModelError("Input.TimeZoneId", localizer["Choose a time zone from the list."].Value);
        if (!string.IsNullOrWhiteSpace(Input.AvLink) && !(Uri.TryCreate(Input.AvLink.Trim(), UriKind.Absolute, out var av) && (av.Scheme == Uri.UriSchemeHttps || av.Scheme == Uri.UriSchemeHttp)))
            ModelState.AddModelError("Input.AvLink", localizer["The audio and video link must be a web address (https://...)."].Value);
        if (Input.Deck.StartsWith("md:", StringComparison.Ordinal) && Decks.All(d => "md:" + d.Slug != Input.Deck))
            ModelState.AddModelError("Input.Deck", localizer["Choose a deck from the list."].Value);
        if (Input.Deck == "pdf" && Pdf is null)
            ModelState.AddModelError("Pdf", localizer["Choose a PDF file to upload."].Value);
        if (!ModelState.IsValid)
            return Page();

        var draft = new SessionDraft(Input.Title, Input.Description ?? "", Input.StartLocal, Input.TimeZoneId, Input.DurationMinutes,
            Input.AvLink, Input.Premoderation, Input.LecturerIds);
        LiveSession session;
        try
        {
            if (id is null)
            {
                session = await sessions.CreateAsync(CohortId, draft, User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value, ct);
            }
            else
            {
                session = await db.LiveSessions.SingleAsync(s => s.Id == id, ct);
                await sessions.UpdateAsync(session, draft, ct);
            }
        }
        catch (ArgumentException e) when (e.ParamName == "local")
        {
            // LiveSessionService.ToUtc refuses a local time the zone skips when its clocks move forward.
            ModelState.AddModelError("Input.StartLocal", localizer["That time does not exist in this time zone (the clocks move forward then)."].Value);
            return Page();
        }

        var deckError = await ApplyDeckAsync(session, ct);
        rooms.Forget(session.Id);
        await AnnounceAsync(session.Id, ct);
        if (deckError is not null)
        {
            // The session is saved; only the deck failed. Say so on the edit page, with the rest kept.
            TempData["Error"] = deckError;
            return RedirectToPage(new { id = session.Id, cohortId = (int?)null });
        }

        TempData["Message"] = localizer["The session is saved."].Value;
        return Redirect($"/sessions/{session.Id}");
    }

    public async Task<IActionResult> OnPostCancelAsync(int id, bool cancelled, CancellationToken ct)
    {
        if (await LoadAsync(id, null, ct) is { } refusal)
            return refusal;
        var session = await db.LiveSessions.SingleAsync(s => s.Id == id, ct);
        await sessions.SetCancelledAsync(session, cancelled, ct);
        rooms.Forget(id);
        await AnnounceAsync(id, ct);
        TempData["Message"] = (cancelled ? localizer["The session is cancelled; calendars will show it."] : localizer["The session is back on."]).Value;
        return Redirect($"/sessions/{id}");
    }

    private async Task<string?> ApplyDeckAsync(LiveSession session, CancellationToken ct)
    {
        try
        {
            switch (Input.Deck)
            {
                case "none":
                    if (session.DeckKind == DeckKind.Pdf)
                        pdfs.Delete(session.Id);
                    await sessions.RemoveDeckAsync(session, ct);
                    break;
                case "pdf" when Pdf is not null:
                    await using (var stream = Pdf.OpenReadStream())
                    {
                        var pages = await pdfs.SaveAsync(session.Id, stream, ct);
                        await sessions.SetPdfDeckAsync(session, Path.GetFileNameWithoutExtension(Pdf.FileName), pages, ct);
                    }

                    break;
                case var md when md.StartsWith("md:", StringComparison.Ordinal):
                    var course = await db.Cohorts.Where(c => c.Id == session.CohortId).Select(c => c.Course!.Slug).SingleAsync(ct);
                    await sessions.SetMarkdownDeckAsync(session, decks.Load(course, md[3..]), ct);
                    break;
            }

            return null;
        }
        catch (SlideDeckException e)
        {
            return e.Message;
        }
    }

    private async Task AnnounceAsync(int sessionId, CancellationToken ct)
    {
        var session = await db.LiveSessions.AsNoTracking().SingleAsync(s => s.Id == sessionId, ct);
        try
        {
            await hub.Clients.Group(RoomGroups.All(sessionId)).SessionChanged(sessionId, session.Version,
                LiveRoomService.ViewOf(session, time.GetUtcNow().UtcDateTime));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The edit is saved; rooms open now catch up through Sync within 15 s.
            logger.LogWarning(e, "Announcing the change of session {SessionId} failed", sessionId);
        }
    }

    private async Task<IActionResult?> LoadAsync(int? id, int? cohortId, CancellationToken ct)
    {
        if (id is not null)
        {
            var current = await db.LiveSessions.AsNoTracking().Where(s => s.Id == id)
                .Select(s => new { s.CohortId, s.Cancelled, s.DeckKind, s.DeckTitle, s.DeckSlideCount }).SingleOrDefaultAsync(ct);
            if (current is null)
                return NotFound();
            cohortId = current.CohortId;
            SessionId = id;
            Cancelled = current.Cancelled;
            CurrentDeck = current.DeckKind == DeckKind.None ? "" : $"{current.DeckTitle} ({current.DeckSlideCount})";
        }

        if (cohortId is null)
            return NotFound();
        var cohort = await db.Cohorts.AsNoTracking().Include(c => c.Course).Include(c => c.Staff).SingleOrDefaultAsync(c => c.Id == cohortId, ct);
        if (cohort is null)
            return NotFound();
        if (!(await cohorts.ForAsync(User, cohort.Id, ct)).IsStaff)
            return Forbid();
        CohortId = cohort.Id;
        CohortName = cohort.Name;
        var staffIds = cohort.Staff.Select(s => s.UserId).Distinct().ToList();
        Staff = [.. (await db.Users.Where(u => staffIds.Contains(u.Id)).Select(u => new { u.Id, u.FullName, u.Email }).ToListAsync(ct))
            .Select(u => (u.Id, string.IsNullOrWhiteSpace(u.FullName) ? u.Email ?? u.Id : u.FullName))
            .OrderBy(u => u.Item2, StringComparer.CurrentCulture)];
        Decks = decks.ListFor(cohort.Course!.Slug);
        return null;
    }
}

public sealed class SessionInput
{
    [Required(ErrorMessage = "Enter a title.")]
    [StringLength(200, ErrorMessage = "At most {1} characters.")]
    public string Title { get; set; } = "";

    [StringLength(4000, ErrorMessage = "At most {1} characters.")]
    public string? Description { get; set; }

    [Required(ErrorMessage = "Enter when the session starts.")]
    public DateTime StartLocal { get; set; }

    [Required(ErrorMessage = "Choose a time zone from the list.")]
    public string TimeZoneId { get; set; } = "Etc/UTC";

    [Range(15, 600, ErrorMessage = "Between {1} and {2} minutes.")]
    public int DurationMinutes { get; set; } = 90;

    [StringLength(500, ErrorMessage = "At most {1} characters.")]
    public string? AvLink { get; set; }

    public bool Premoderation { get; set; }

    public List<string> LecturerIds { get; set; } = [];

    /// <summary>"" keeps the deck, "none" removes it, "pdf" takes the upload, "md:slug" a course deck.</summary>
    public string Deck { get; set; } = "";
}
