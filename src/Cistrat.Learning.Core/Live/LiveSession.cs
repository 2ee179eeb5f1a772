using Cistrat.Learning.Core.Cohorts;

namespace Cistrat.Learning.Core.Live;

/// <summary>
/// One scheduled lecture of a cohort. Times are stored in UTC; the organiser's zone is kept to show the time as
/// it was entered. <see cref="Version"/> goes up by one with every change to the room's state, so that clients
/// can tell a missed event from a duplicate.
/// </summary>
public class LiveSession
{
    public int Id { get; set; }
    public int CohortId { get; set; }
    public Cohort? Cohort { get; set; }

    /// <summary>Stable identity in calendars (the iCalendar UID), never reused.</summary>
    public Guid Uid { get; set; } = Guid.NewGuid();

    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public DateTime StartsAt { get; set; }
    public int DurationMinutes { get; set; }
    public string OrganiserTimeZoneId { get; set; } = "Etc/UTC";

    /// <summary>Where audio and video happen (Jitsi, BigBlueButton, Zoom, Teams...); the room carries the rest.</summary>
    public string? AvLink { get; set; }

    public bool Cancelled { get; set; }

    /// <summary>iCalendar SEQUENCE: bumped on every change a calendar shows (time, title, cancellation).</summary>
    public int Sequence { get; set; }

    /// <summary>Questions wait for a moderator's approval before other trainees see them.</summary>
    public bool Premoderation { get; set; }

    public DeckKind DeckKind { get; set; }
    public string DeckTitle { get; set; } = "";
    public int DeckSlideCount { get; set; }

    /// <summary>For a Markdown deck, the sanitised HTML of each slide as a JSON array, copied when the deck was chosen.</summary>
    public string DeckSlidesJson { get; set; } = "[]";

    public int CurrentSlide { get; set; } = 1;
    public string Notes { get; set; } = "";
    public long Version { get; set; }

    public string? CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<LiveSessionLecturer> Lecturers { get; } = [];

    public DateTime EndsAt => StartsAt.AddMinutes(DurationMinutes);

    /// <summary>Replaces the deck (none, a PDF's page count, or a Markdown deck's slides) and goes back to its first slide.</summary>
    public void UseDeck(DeckKind kind, string title, int slideCount, IReadOnlyList<string> markdownSlides)
    {
        ArgumentNullException.ThrowIfNull(markdownSlides);
        DeckKind = kind;
        DeckTitle = title;
        DeckSlideCount = slideCount;
        DeckSlidesJson = System.Text.Json.JsonSerializer.Serialize(markdownSlides);
        CurrentSlide = 1;
    }

    public void UseMarkdownDeck(SlideDeck deck)
    {
        ArgumentNullException.ThrowIfNull(deck);
        UseDeck(DeckKind.Markdown, deck.Title, deck.SlidesHtml.Count, deck.SlidesHtml);
    }

    public LiveSessionPhase PhaseAt(DateTime utcNow) =>
        Cancelled ? LiveSessionPhase.Cancelled
        : utcNow < StartsAt ? LiveSessionPhase.Scheduled
        : utcNow < EndsAt ? LiveSessionPhase.Live
        : LiveSessionPhase.Ended;
}

public enum DeckKind
{
    None = 0,
    Pdf = 1,
    Markdown = 2,
}

public enum LiveSessionPhase
{
    Scheduled,
    Live,
    Ended,
    Cancelled,
}

/// <summary>A lecturer named on a session (any of the cohort's staff).</summary>
public class LiveSessionLecturer
{
    public int SessionId { get; set; }
    public required string UserId { get; set; }
}
