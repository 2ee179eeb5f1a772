using System.Globalization;
using System.Text;

namespace Cistrat.Learning.Core.Live;

/// <summary>One live lecture session as a calendar event.</summary>
/// <param name="Uid">Stable for the life of the session, e.g. "session-3f2a...@cistrat.learning"; calendar clients match updates and cancellations by it.</param>
/// <param name="Sequence">Revision number, 0 or more; the app bumps it on every reschedule or cancellation so clients replace their copy.</param>
/// <param name="StartUtc">Start, with <see cref="DateTimeKind.Utc"/>.</param>
/// <param name="EndUtc">End (exclusive), with <see cref="DateTimeKind.Utc"/>; later than <paramref name="StartUtc"/>.</param>
/// <param name="Summary">Title shown in the calendar.</param>
/// <param name="Description">Plain-text details, newlines allowed; omitted from the output when empty or blank.</param>
/// <param name="Location">Where the session takes place, if anywhere; omitted when null, empty or blank.</param>
/// <param name="Url">Absolute link to the live room, if any.</param>
/// <param name="Cancelled">Written as STATUS:CANCELLED under the same UID, so clients remove the event instead of keeping a stale one.</param>
/// <param name="LastModifiedUtc">When the session was last changed, with <see cref="DateTimeKind.Utc"/>.</param>
public sealed record CalendarEvent(
    string Uid,
    int Sequence,
    DateTime StartUtc,
    DateTime EndUtc,
    string Summary,
    string Description,
    string? Location,
    Uri? Url,
    bool Cancelled,
    DateTime LastModifiedUtc);

/// <summary>Writes live sessions as an RFC 5545 iCalendar feed.</summary>
public static class ICalendar
{
    /// <summary>The media type to serve <see cref="Write"/>'s output with; the text must be encoded as UTF-8 (without BOM).</summary>
    public const string ContentType = "text/calendar; charset=utf-8";

    // RFC 5545 §3.1: a content line SHOULD NOT be longer than 75 octets, excluding the line break.
    private const int MaxLineOctets = 75;
    private const string Crlf = "\r\n";
    private const string UtcFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>
    /// A VCALENDAR (METHOD:PUBLISH, named <paramref name="calendarName"/> via X-WR-CALNAME) with one VEVENT per event, in order.
    /// Lines end in CRLF and are folded at 75 UTF-8 octets; text is escaped and stripped of control characters other than
    /// newline and tab. No events gives a calendar with no VEVENT.
    /// </summary>
    /// <param name=paramName>The sessions to publish.</param>
    /// <param name="calendarName">Name calendar clients show for the subscription.</param>
    /// <param name="stampUtc">DTSTAMP of every event: when this feed was generated, with <see cref="DateTimeKind.Utc"/>.</param>
    /// <exception cref="ArgumentException">A date-time is not UTC, an event ends before it starts, has an empty UID,
    /// a negative sequence or a relative URL.</exception>
    public static string Write(IEnumerable<CalendarEvent> events, string calendarName, DateTime stampUtc)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(calendarName);
        RequireUtc(stampUtc, nameof(stampUtc));
        var stamp = Utc(stampUtc);

        var output = new StringBuilder();
        AppendLine(output, "BEGIN:VCALENDAR");
        AppendLine(output, "VERSION:2.0");
        AppendLine(output, "PRODID:-//Cistrat.Learning//Live sessions//EN");
        AppendLine(output, "CALSCALE:GREGORIAN");
        AppendLine(output, "METHOD:PUBLISH");
        AppendLine(output, "X-WR-CALNAME:" + Text(calendarName));
        foreach (var e in events)
        {
            Validate(e, nameof(events));
            AppendLine(output, "BEGIN:VEVENT");
            AppendLine(output, "UID:" + Text(e.Uid));
            AppendLine(output, "DTSTAMP:" + stamp);
            AppendLine(output, "DTSTART:" + Utc(e.StartUtc));
            AppendLine(output, "DTEND:" + Utc(e.EndUtc));
            AppendLine(output, "SUMMARY:" + Text(e.Summary));
            if (!string.IsNullOrWhiteSpace(e.Description))
                AppendLine(output, "DESCRIPTION:" + Text(e.Description));
            if (!string.IsNullOrWhiteSpace(e.Location))
                AppendLine(output, "LOCATION:" + Text(e.Location));
            // URL has value type URI (§3.8.4.6), not TEXT: commas and semicolons are part of the address.
            if (e.Url is not null)
                AppendLine(output, "URL:" + e.Url.AbsoluteUri);
            AppendLine(output, "SEQUENCE:" + e.Sequence.ToString(CultureInfo.InvariantCulture));
            AppendLine(output, e.Cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
            AppendLine(output, "LAST-MODIFIED:" + Utc(e.LastModifiedUtc));
            AppendLine(output, "END:VEVENT");
        }

        AppendLine(output, "END:VCALENDAR");
        return output.ToString();
    }

    private static void Validate(CalendarEvent? e, string paramName)
    {
        if (e is null)
            throw new ArgumentException("The events contain null.", paramName);
        if (string.IsNullOrWhiteSpace(e.Uid))
            throw new ArgumentException("An event has no UID.", paramName);
        if (e.Summary is null)
            throw new ArgumentException($"Event '{e.Uid}' has no summary.", paramName);
        if (e.Sequence < 0)
            throw new ArgumentOutOfRangeException(paramName, e.Sequence, $"Event '{e.Uid}' has a negative SEQUENCE.");
        RequireUtc(e.StartUtc, paramName, e.Uid, nameof(e.StartUtc));
        RequireUtc(e.EndUtc, paramName, e.Uid, nameof(e.EndUtc));
        RequireUtc(e.LastModifiedUtc, paramName, e.Uid, nameof(e.LastModifiedUtc));
        // §3.8.2.2: DTEND MUST be later than DTSTART.
        if (e.EndUtc <= e.StartUtc)
            throw new ArgumentException($"Event '{e.Uid}' ends at or before its start.", paramName);
        if (e.Url is { IsAbsoluteUri: false })
            throw new ArgumentException($"Event '{e.Uid}' has a relative URL; calendar clients need an absolute one.", paramName);
    }

    private static void RequireUtc(DateTime value, string paramName, string? uid = null, string? field = null)
    {
        if (value.Kind != DateTimeKind.Utc)
        {
            var what = uid is null ? paramName : $"{field} of event '{uid}'";
            throw new ArgumentException($"{what} must be UTC (DateTimeKind.Utc), not {value.Kind}.", paramName);
        }
    }

    private static string Utc(DateTime value) => value.ToString(UtcFormat, CultureInfo.InvariantCulture);

    /// <summary>TEXT value (§3.3.11): escapes \ ; , and newline, drops CR and other control characters but tab.</summary>
    private static string Text(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case ';': text.Append(@"\;"); break;
                case ',': text.Append(@"\,"); break;
                case '\n': text.Append(@"\n"); break;
                case '\t': text.Append(c); break;
                default:
                    if (!char.IsControl(c))
                        text.Append(c);
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Appends one content line, folded (§3.1) so that no physical line exceeds 75 UTF-8 octets. Folds fall between
    /// whole Unicode scalar values, so no multi-octet sequence (or surrogate pair) is split; a lone surrogate, which
    /// UTF-8 cannot carry, becomes U+FFFD.
    /// </summary>
    private static void AppendLine(StringBuilder output, string line)
    {
        Span<char> chars = stackalloc char[2];
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > MaxLineOctets)
            {
                output.Append(Crlf).Append(' ');
                octets = 1;
            }

            output.Append(chars[..rune.EncodeToUtf16(chars)]);
            octets += size;
        }

        output.Append(Crlf);
    }
}
