namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// REPORT.md is the pages section followed by sections that each open with a marker line of the form
/// <c>&lt;!-- name: written by the benchmark's ... --&gt;</c>; an <c>--only</c> run replaces its own part and keeps the rest.
/// </summary>
internal static class ReportSections
{
    /// <summary>
    /// The report with the section opened by <paramref name="marker"/> replaced by <paramref name="section"/>, up to
    /// the next marked section; a report without one gets it before the live-room section, or at the end.
    /// </summary>
    public static string Splice(string? existing, string marker, string section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (string.IsNullOrEmpty(existing))
            return section;
        var nl = Environment.NewLine;
        var at = existing.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            var live = existing.IndexOf(LiveReport.Marker, StringComparison.Ordinal);
            return live < 0
                ? existing.TrimEnd() + nl + nl + section
                : existing[..live].TrimEnd() + nl + nl + section.TrimEnd() + nl + nl + existing[live..];
        }

        var next = NextSection(existing, at + marker.Length);
        var before = existing[..at].TrimEnd();
        var after = next < 0 ? nl : nl + nl + existing[next..];
        return (before.Length == 0 ? "" : before + nl + nl) + section.TrimEnd() + after;
    }

    /// <summary>The report with its head (everything before the first marked section) replaced by <paramref name="head"/>.</summary>
    public static string SpliceHead(string? existing, string head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (string.IsNullOrEmpty(existing))
            return head;
        var next = NextSection(existing, 0);
        return next < 0 ? head : head.TrimEnd() + Environment.NewLine + Environment.NewLine + existing[next..];
    }

    /// <summary>Where the next marked section starts: a line opening with a marker of the benchmark's form.</summary>
    private static int NextSection(string report, int from)
    {
        for (var i = report.IndexOf("<!-- ", from, StringComparison.Ordinal); i >= 0; i = report.IndexOf("<!-- ", i + 5, StringComparison.Ordinal))
        {
            var end = report.IndexOf('\n', i);
            var line = end < 0 ? report[i..] : report[i..end];
            if ((i == 0 || report[i - 1] == '\n') && line.Contains(": written by the benchmark", StringComparison.Ordinal))
                return i;
        }

        return -1;
    }
}
