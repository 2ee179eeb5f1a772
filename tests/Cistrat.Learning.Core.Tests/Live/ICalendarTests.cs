using System.Globalization;
using System.Text;
using Cistrat.Learning.Core.Live;

namespace Cistrat.Learning.Core.Tests.Live;

/// <summary>
/// ICalendar.Write against RFC 5545, checked without an iCalendar parser: the output's UTF-8 bytes are split on CRLF,
/// each physical line is decoded strictly (a split multi-byte sequence would throw), and content lines are recovered by
/// removing CRLF + space.
/// </summary>
public sealed class ICalendarTests
{
    private static readonly DateTime Stamp = new(2026, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly CalendarEvent Lecture = new(
        Uid: "session-3f2a9c@cistrat.learning",
        Sequence: 0,
        StartUtc: new DateTime(2026, 5, 4, 9, 0, 0, DateTimeKind.Utc),
        EndUtc: new DateTime(2026, 5, 4, 10, 30, 0, DateTimeKind.Utc),
        Summary: "Week 1: What is open science?",
        Description: "Bring questions, we vote on them live.\nSlides: week-1.pdf",
        Location: "Room 2.14; Main building",
        Url: new Uri("https://learning.example.org/live/42?join=1"),
        Cancelled: false,
        LastModifiedUtc: new DateTime(2026, 4, 30, 8, 15, 0, DateTimeKind.Utc));

    private static readonly string[] VCalendarHeader =
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cistrat.Learning//Live sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ];

    // The whole document

    [Fact]
    public void ContentType_IsTextCalendarInUtf8() => Assert.Equal("text/calendar; charset=utf-8", ICalendar.ContentType);

    [Fact]
    public void Write_OneEvent_GivesTheExactDocument()
    {
        var expected = string.Join("\r\n",
            [
                .. VCalendarHeader,
                "X-WR-CALNAME:Open Science 101 – live sessions",
                "BEGIN:VEVENT",
                "UID:session-3f2a9c@cistrat.learning",
                "DTSTAMP:20260501T120000Z",
                "DTSTART:20260504T090000Z",
                "DTEND:20260504T103000Z",
                @"SUMMARY:Week 1: What is open science?",
                @"DESCRIPTION:Bring questions\, we vote on them live.\nSlides: week-1.pdf",
                @"LOCATION:Room 2.14\; Main building",
                "URL:https://learning.example.org/live/42?join=1",
                "SEQUENCE:0",
                "STATUS:CONFIRMED",
                "LAST-MODIFIED:20260430T081500Z",
                "END:VEVENT",
                "END:VCALENDAR",
                "",
            ]);

        Assert.Equal(expected, ICalendar.Write([Lecture], "Open Science 101 – live sessions", Stamp));
    }

    [Fact]
    public void Write_NoEvents_GivesAValidCalendarWithoutAnyVEvent()
    {
        var expected = string.Join("\r\n", [.. VCalendarHeader, "X-WR-CALNAME:Empty", "END:VCALENDAR", ""]);

        Assert.Equal(expected, ICalendar.Write([], "Empty", Stamp));
    }

    [Fact]
    public void Write_EndsEveryLineWithCrlf_AndHasNoBareCrOrLf()
    {
        var ics = ICalendar.Write([Lecture, Lecture with { Uid = "two@cistrat.learning", Description = "a\nb\r\nc\rd" }], "Cal", Stamp);

        Assert.EndsWith("\r\n", ics, StringComparison.Ordinal);
        var withoutCrlf = ics.Replace("\r\n", "", StringComparison.Ordinal);
        Assert.DoesNotContain("\r", withoutCrlf, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", withoutCrlf, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_GivesEachEventItsOwnVEvent_InOrder_WithEveryRequiredPropertyOnce()
    {
        var first = Lecture with { Uid = "first@cistrat.learning" };
        var second = Lecture with { Uid = "second@cistrat.learning", Description = "", Location = null, Url = null, Sequence = 3 };

        var events = VEvents(ICalendar.Write([first, second], "Cal", Stamp));

        Assert.Equal(2, events.Count);
        Assert.Equal(
            ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "SEQUENCE", "STATUS", "LAST-MODIFIED"],
            events[0].Select(Name));
        Assert.Equal(["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS", "LAST-MODIFIED"], events[1].Select(Name));
        Assert.Equal("UID:first@cistrat.learning", events[0][0]);
        Assert.Equal("UID:second@cistrat.learning", events[1][0]);
        Assert.Equal("SEQUENCE:3", Assert.Single(events[1], l => l.StartsWith("SEQUENCE:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Write_StampsEveryEventWithTheGivenStamp_NotItsLastModified()
    {
        var events = VEvents(ICalendar.Write([Lecture, Lecture with { Uid = "other@cistrat.learning" }], "Cal", Stamp));

        Assert.All(events, e => Assert.Contains("DTSTAMP:20260501T120000Z", e));
        Assert.All(events, e => Assert.Contains("LAST-MODIFIED:20260430T081500Z", e));
    }

    // Folding: 75 octets of UTF-8 per physical line, continuation lines start with one space

    [Fact]
    public void Fold_SplitsALongAsciiLine_At75Octets_WithOneSpaceBeforeEachContinuation()
    {
        var ics = ICalendar.Write([Lecture with { Summary = new string('a', 150) }], "Cal", Stamp);

        Assert.Contains(
            "\r\nSUMMARY:" + new string('a', 67) + "\r\n " + new string('a', 74) + "\r\n " + new string('a', 9) + "\r\n",
            ics, StringComparison.Ordinal);
    }

    [Fact]
    public void Fold_LeavesALineOfExactly75Octets_Whole_AndFoldsOneOf76()
    {
        var exact = ICalendar.Write([Lecture with { Summary = new string('x', 67) }], "Cal", Stamp);
        var over = ICalendar.Write([Lecture with { Summary = new string('x', 68) }], "Cal", Stamp);

        Assert.Contains("\r\nSUMMARY:" + new string('x', 67) + "\r\nDESCRIPTION:", exact, StringComparison.Ordinal);
        Assert.Contains("\r\nSUMMARY:" + new string('x', 67) + "\r\n x\r\nDESCRIPTION:", over, StringComparison.Ordinal);
    }

    [Fact]
    public void Fold_KeepsASpaceOfTheText_WhenTheFoldFallsJustBeforeIt()
    {
        var summary = new string('a', 67) + " b";
        var ics = ICalendar.Write([Lecture with { Summary = summary }], "Cal", Stamp);

        Assert.Contains("\r\nSUMMARY:" + new string('a', 67) + "\r\n  b\r\n", ics, StringComparison.Ordinal);
        Assert.Equal(summary, Unescape(Value(ics, "SUMMARY")));
    }

    [Fact]
    public void Fold_NeverLetsAPhysicalLineExceed75Octets()
    {
        var ics = ICalendar.Write(
            [Lecture with { Summary = new string('s', 500), Description = string.Concat(Enumerable.Repeat("désormais, 开放科学; مرحبا 🎓 ", 40)) }],
            new string('n', 300), Stamp);

        var lines = PhysicalLines(ics);
        Assert.True(lines.Count > 40, "the long values were expected to fold into many lines");
        Assert.All(lines, l => Assert.InRange(l.Octets, 1, 75));
    }

    [Fact]
    public void Fold_Arabic_FoldsBetweenTwoOctetLetters_AndRoundTrips()
    {
        // "SUMMARY:" is 8 octets and each letter 2, so a split at exactly 75 octets would cut a letter in half.
        var summary = string.Concat(Enumerable.Repeat("علم", 20));
        var ics = ICalendar.Write([Lecture with { Summary = summary }], "Cal", Stamp);

        var lines = PhysicalLinesOf(ics, "SUMMARY:");
        Assert.Equal([74, 55], lines.Select(l => l.Octets));
        Assert.Equal("SUMMARY:" + summary[..33], lines[0].Text);
        Assert.Equal(" " + summary[33..], lines[1].Text);
        Assert.Equal(summary, Unescape(Value(ics, "SUMMARY")));
    }

    [Fact]
    public void Fold_Chinese_FoldsBetweenThreeOctetCharacters_AndRoundTrips()
    {
        var summary = string.Concat(Enumerable.Repeat("开放科学讲座", 5));
        var ics = ICalendar.Write([Lecture with { Summary = summary }], "Cal", Stamp);

        var lines = PhysicalLinesOf(ics, "SUMMARY:");
        Assert.Equal([74, 25], lines.Select(l => l.Octets));
        Assert.Equal("SUMMARY:" + summary[..22], lines[0].Text);
        Assert.Equal(summary, Unescape(Value(ics, "SUMMARY")));
    }

    [Fact]
    public void Fold_Emoji_KeepsSurrogatePairsAndTheirFourOctetsTogether_AndRoundTrips()
    {
        var summary = string.Concat(Enumerable.Repeat("🎓", 40));
        var ics = ICalendar.Write([Lecture with { Summary = summary }], "Cal", Stamp);

        var lines = PhysicalLinesOf(ics, "SUMMARY:");
        Assert.Equal([72, 73, 25], lines.Select(l => l.Octets));
        Assert.All(lines, l => Assert.False(char.IsHighSurrogate(l.Text[^1]), $"line ends inside a surrogate pair: {l.Text}"));
        Assert.Equal(summary, Unescape(Value(ics, "SUMMARY")));
    }

    [Fact]
    public void Fold_MixedScriptsLongDescription_UnfoldsToTheExactOriginalLine()
    {
        var description = "Open science / العلم المفتوح / 开放科学 / 👩🏽‍🏫 e\u0301té, naïve; back\\slash:colon " + new string('.', 40);
        var escaped = @"Open science / العلم المفتوح / 开放科学 / 👩🏽‍🏫 e" + "\u0301" + @"té\, naïve\; back\\slash:colon " + new string('.', 40);
        var ics = ICalendar.Write([Lecture with { Description = description }], "Cal", Stamp);

        Assert.True(PhysicalLinesOf(ics, "DESCRIPTION:").Count > 1, "the description was expected to fold");
        Assert.Contains("DESCRIPTION:" + escaped, ContentLines(ics));
        Assert.Equal(description, Unescape(Value(ics, "DESCRIPTION")));
    }

    [Fact]
    public void Fold_RandomTextInEveryScript_StaysWithin75Octets_AndRoundTrips()
    {
        string[] pieces = ["a", "Z", " ", "\\", ";", ",", ":", "\n", "\r\n", "\t", "\u0001", "\u007F", "é", "e\u0301", "ع", "م", "开", "放", "🎓", "👩🏽‍🏫"];
        var random = new Random(5545);
        for (var i = 0; i < 300; i++)
        {
            var summary = string.Concat(Enumerable.Range(0, random.Next(0, 120)).Select(_ => pieces[random.Next(pieces.Length)]));
            var name = string.Concat(Enumerable.Range(0, random.Next(0, 60)).Select(_ => pieces[random.Next(pieces.Length)]));

            var ics = ICalendar.Write([Lecture with { Summary = summary }], name, Stamp);

            Assert.All(PhysicalLines(ics), l => Assert.InRange(l.Octets, 1, 75));
            Assert.Equal(Sanitized(summary), Unescape(Value(ics, "SUMMARY")));
            Assert.Equal(Sanitized(name), Unescape(Value(ics, "X-WR-CALNAME")));
        }
    }

    // TEXT escaping and control characters

    [Fact]
    public void Text_EscapesBackslashSemicolonCommaAndNewline_DropsCr_AndLeavesColons()
    {
        var ics = ICalendar.Write([Lecture with { Summary = "a\\b;c,d\r\ne:f\rg\nh" }], "Cal", Stamp);

        Assert.Contains(@"SUMMARY:a\\b\;c\,d\ne:fg\nh", ContentLines(ics));
    }

    [Fact]
    public void Text_EscapesTheCalendarNameLocationAndUid_Too()
    {
        var ics = ICalendar.Write(
            [Lecture with { Uid = "s,1;x@cistrat.learning", Location = "Hall A, floor 2; door \\3\nback" }], "Physics, Year 1; Live", Stamp);

        var lines = ContentLines(ics);
        Assert.Contains(@"X-WR-CALNAME:Physics\, Year 1\; Live", lines);
        Assert.Contains(@"LOCATION:Hall A\, floor 2\; door \\3\nback", lines);
        Assert.Contains(@"UID:s\,1\;x@cistrat.learning", lines);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData(@"C:\new\table")]
    [InlineData(@"trailing backslash \")]
    [InlineData(@"\n is not a newline here")]
    [InlineData(@"\\;\,;,\;")]
    [InlineData(";;,,\n\n\\\\")]
    [InlineData("line one\nline two, with; all\\ of it")]
    [InlineData("\n")]
    [InlineData("")]
    public void Text_EscapingRoundTrips(string summary)
    {
        var ics = ICalendar.Write([Lecture with { Summary = summary }], "Cal", Stamp);

        Assert.Equal(summary, Unescape(Value(ics, "SUMMARY")));
    }

    [Fact]
    public void Text_StripsControlCharacters_ButKeepsNewlineAndTab()
    {
        var ics = ICalendar.Write(
            [Lecture with { Summary = "a\u0000b\u0007c\u001Bd\u007Fe\u0085f\tg\nh", Location = "\u0002Room\u001F 1" }], "Cal\u0008endar", Stamp);

        var lines = ContentLines(ics);
        Assert.Contains("SUMMARY:abcdef\tg\\nh", lines);
        Assert.Contains("LOCATION:Room 1", lines);
        Assert.Contains("X-WR-CALNAME:Calendar", lines);
    }

    [Fact]
    public void Text_ReplacesALoneSurrogate_SoTheOutputIsValidUtf8()
    {
        var ics = ICalendar.Write([Lecture with { Summary = "x\uD83Cy\uDF93z" }], "Cal", Stamp);

        Assert.Contains("SUMMARY:x\uFFFDy\uFFFDz", ContentLines(ics));
        _ = StrictUtf8.GetBytes(ics);
    }

    // Optional properties

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Description_IsOmitted_WhenEmpty(string description)
    {
        var ics = ICalendar.Write([Lecture with { Description = description }], "Cal", Stamp);

        Assert.DoesNotContain(ContentLines(ics), l => l.StartsWith("DESCRIPTION", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Location_IsOmitted_WhenThereIsNone(string? location)
    {
        var ics = ICalendar.Write([Lecture with { Location = location }], "Cal", Stamp);

        Assert.DoesNotContain(ContentLines(ics), l => l.StartsWith("LOCATION", StringComparison.Ordinal));
    }

    [Fact]
    public void Url_IsOmitted_WhenThereIsNone()
    {
        var ics = ICalendar.Write([Lecture with { Url = null }], "Cal", Stamp);

        Assert.DoesNotContain(ContentLines(ics), l => l.StartsWith("URL", StringComparison.Ordinal));
    }

    [Fact]
    public void Url_IsAUriValue_NotEscapedAsText()
    {
        var ics = ICalendar.Write([Lecture with { Url = new Uri("https://learning.example.org/live?ids=1,2;3&x=a:b") }], "Cal", Stamp);

        Assert.Contains("URL:https://learning.example.org/live?ids=1,2;3&x=a:b", ContentLines(ics));
    }

    [Fact]
    public void Url_IsFolded_AndUnfoldsToTheExactAddress()
    {
        var url = new Uri("https://learning.example.org/live/rooms/" + new string('r', 150) + "?token=abc,def;ghi");
        var ics = ICalendar.Write([Lecture with { Url = url }], "Cal", Stamp);

        Assert.Equal(3, PhysicalLinesOf(ics, "URL:").Count);
        Assert.Equal(url.AbsoluteUri, Value(ics, "URL"));
    }

    // Date-times

    [Fact]
    public void DateTimes_AreUtcBasicFormat_WithoutFractionsOfASecond()
    {
        var ics = ICalendar.Write(
            [Lecture with
            {
                StartUtc = new DateTime(2026, 1, 2, 3, 4, 5, 999, DateTimeKind.Utc),
                EndUtc = new DateTime(2026, 12, 31, 23, 59, 59, DateTimeKind.Utc),
                LastModifiedUtc = new DateTime(2025, 11, 9, 0, 0, 0, DateTimeKind.Utc),
            }],
            "Cal", new DateTime(2026, 1, 1, 0, 0, 1, DateTimeKind.Utc));

        var lines = ContentLines(ics);
        Assert.Contains("DTSTART:20260102T030405Z", lines);
        Assert.Contains("DTEND:20261231T235959Z", lines);
        Assert.Contains("LAST-MODIFIED:20251109T000000Z", lines);
        Assert.Contains("DTSTAMP:20260101T000001Z", lines);
    }

    [Theory]
    [InlineData("th-TH")]
    [InlineData("ar-SA")]
    [InlineData("fa-IR")]
    public void DateTimes_AreGregorianAndInvariant_WhateverTheCurrentCulture(string culture)
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            Assert.NotEqual("2026", Lecture.StartUtc.ToString("yyyy", CultureInfo.CurrentCulture));

            var ics = ICalendar.Write([Lecture with { Sequence = 12 }], "Cal", Stamp);

            var lines = ContentLines(ics);
            Assert.Contains("DTSTART:20260504T090000Z", lines);
            Assert.Contains("DTSTAMP:20260501T120000Z", lines);
            Assert.Contains("SEQUENCE:12", lines);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("start", DateTimeKind.Local)]
    [InlineData("start", DateTimeKind.Unspecified)]
    [InlineData("end", DateTimeKind.Local)]
    [InlineData("end", DateTimeKind.Unspecified)]
    [InlineData("lastModified", DateTimeKind.Local)]
    [InlineData("lastModified", DateTimeKind.Unspecified)]
    [InlineData("stamp", DateTimeKind.Local)]
    [InlineData("stamp", DateTimeKind.Unspecified)]
    public void DateTimes_ThatAreNotUtc_Throw(string which, DateTimeKind kind)
    {
        var e = which switch
        {
            "start" => Lecture with { StartUtc = DateTime.SpecifyKind(Lecture.StartUtc, kind) },
            "end" => Lecture with { EndUtc = DateTime.SpecifyKind(Lecture.EndUtc, kind) },
            "lastModified" => Lecture with { LastModifiedUtc = DateTime.SpecifyKind(Lecture.LastModifiedUtc, kind) },
            _ => Lecture,
        };
        var stamp = which == "stamp" ? DateTime.SpecifyKind(Stamp, kind) : Stamp;

        var error = Assert.Throws<ArgumentException>(() => ICalendar.Write([e], "Cal", stamp));
        Assert.Contains("UTC", error.Message, StringComparison.Ordinal);
        Assert.Equal(which == "stamp" ? "stampUtc" : "events", error.ParamName);
    }

    // Status, sequence and other checks

    [Fact]
    public void Cancelled_IsStatusCancelled_UnderTheSameUid_WithTheBumpedSequence()
    {
        var confirmed = VEvents(ICalendar.Write([Lecture], "Cal", Stamp)).Single();
        var cancelled = VEvents(ICalendar.Write([Lecture with { Cancelled = true, Sequence = 1 }], "Cal", Stamp)).Single();

        Assert.Contains("STATUS:CONFIRMED", confirmed);
        Assert.DoesNotContain("STATUS:CANCELLED", confirmed);
        Assert.Contains("STATUS:CANCELLED", cancelled);
        Assert.DoesNotContain("STATUS:CONFIRMED", cancelled);
        Assert.Equal("UID:session-3f2a9c@cistrat.learning", cancelled[0]);
        Assert.Equal(confirmed[0], cancelled[0]);
        Assert.Contains("SEQUENCE:0", confirmed);
        Assert.Contains("SEQUENCE:1", cancelled);
        Assert.Contains("DTSTART:20260504T090000Z", cancelled);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-30)]
    public void Event_ThatEndsAtOrBeforeItsStart_Throws(int minutes)
    {
        var e = Lecture with { EndUtc = Lecture.StartUtc.AddMinutes(minutes) };

        Assert.Throws<ArgumentException>(() => ICalendar.Write([e], "Cal", Stamp));
    }

    [Fact]
    public void Event_WithANegativeSequence_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ICalendar.Write([Lecture with { Sequence = -1 }], "Cal", Stamp));

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Event_WithoutAUid_Throws(string uid) =>
        Assert.Throws<ArgumentException>(() => ICalendar.Write([Lecture with { Uid = uid }], "Cal", Stamp));

    [Fact]
    public void Event_WithARelativeUrl_Throws() =>
        Assert.Throws<ArgumentException>(() => ICalendar.Write([Lecture with { Url = new Uri("/live/42", UriKind.Relative) }], "Cal", Stamp));

    // Helpers: no iCalendar parser, only bytes, CRLF and the escaping rules of RFC 5545 §3.3.11.

    private sealed record PhysicalLine(string Text, int Octets);

    /// <summary>Splits the UTF-8 bytes on CRLF and decodes each line strictly, so a line cut inside a character throws.</summary>
    private static List<PhysicalLine> PhysicalLines(string ics)
    {
        var bytes = StrictUtf8.GetBytes(ics);
        Assert.True(bytes.AsSpan().EndsWith("\r\n"u8), "the output must end with CRLF");
        var lines = new List<PhysicalLine>();
        var start = 0;
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                lines.Add(new PhysicalLine(StrictUtf8.GetString(bytes, start, i - start), i - start));
                start = i + 2;
                i++;
            }
        }

        return lines;
    }

    /// <summary>The physical lines of the content line that starts with <paramref name="prefix"/>.</summary>
    private static List<PhysicalLine> PhysicalLinesOf(string ics, string prefix)
    {
        var lines = PhysicalLines(ics);
        var first = lines.FindIndex(l => l.Text.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(first >= 0, $"no line starts with {prefix}");
        return [lines[first], .. lines.Skip(first + 1).TakeWhile(l => l.Text.StartsWith(' '))];
    }

    private static List<string> ContentLines(string ics)
    {
        var unfolded = ics.Replace("\r\n ", "", StringComparison.Ordinal);
        Assert.EndsWith("\r\n", unfolded, StringComparison.Ordinal);
        return [.. unfolded[..^2].Split("\r\n")];
    }

    private static string Value(string ics, string name) =>
        Assert.Single(ContentLines(ics), l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..];

    private static string Name(string contentLine) => contentLine[..contentLine.IndexOfAny([':', ';'])];

    private static List<List<string>> VEvents(string ics)
    {
        var events = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in ContentLines(ics))
        {
            if (line == "BEGIN:VEVENT")
                current = [];
            else if (line == "END:VEVENT")
            {
                events.Add(current ?? throw new InvalidOperationException("END:VEVENT without BEGIN"));
                current = null;
            }
            else
                current?.Add(line);
        }

        return events;
    }

    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            Assert.True(i + 1 < text.Length, $"dangling backslash in {text}");
            var next = text[++i];
            Assert.True("\\;,nN".Contains(next, StringComparison.Ordinal), $"invalid escape \\{next} in {text}");
            result.Append(next is 'n' or 'N' ? '\n' : next);
        }

        return result.ToString();
    }

    private static string Sanitized(string text) => string.Concat(text.Where(c => c is '\n' or '\t' || !char.IsControl(c)));
}
