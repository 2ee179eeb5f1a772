namespace Cistrat.Learning.Core.Live;

/// <summary>Minutes a person attended one session, from their visits.</summary>
public static class Attendance
{
    /// <summary>How long a connected visit may go without a refresh before it counts as ended at its last refresh.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The union of the visits clipped to the session's start and end, so that two tabs, or a reconnection that
    /// overlaps the visit before it, count once.
    /// </summary>
    public static TimeSpan Attended(IEnumerable<AttendanceVisit> visits, DateTime sessionStart, DateTime sessionEnd, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(visits);
        var intervals = visits
            .Select(v => (Start: Max(v.JoinedAt, sessionStart), End: Min(EndOf(v, utcNow), sessionEnd)))
            .Where(i => i.End > i.Start)
            .OrderBy(i => i.Start)
            .ToList();

        var total = TimeSpan.Zero;
        DateTime? runStart = null, runEnd = null;
        foreach (var (start, end) in intervals)
        {
            if (runEnd is { } e && start <= e)
            {
                runEnd = Max(e, end);
                continue;
            }

            if (runStart is { } s && runEnd is { } f)
                total += f - s;
            (runStart, runEnd) = (start, end);
        }

        if (runStart is { } last && runEnd is { } lastEnd)
            total += lastEnd - last;
        return total;
    }

    /// <summary>When a visit ended: when the person left, else now if it is still refreshed, else its last refresh.</summary>
    public static DateTime EndOf(AttendanceVisit visit, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(visit);
        if (visit.LeftAt is { } left)
            return left;
        return utcNow - visit.LastSeenAt > StaleAfter ? visit.LastSeenAt : utcNow;
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
