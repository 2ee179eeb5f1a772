using System.ComponentModel.DataAnnotations;

namespace Cistrat.Learning.Core.Notifications;

/// <summary>Settings under "Reminders".</summary>
public sealed class ReminderOptions
{
    public const string Section = "Reminders";

    /// <summary>How long before a live session its reminders go out (default 24 h and 1 h).</summary>
    public List<TimeSpan> SessionLeadTimes { get; set; } = [TimeSpan.FromHours(24), TimeSpan.FromHours(1)];

    /// <summary>
    /// Edits to a session within this time of each other make one update mail, not one per save; an update is sent
    /// once the session has been left alone this long.
    /// </summary>
    public TimeSpan UpdateSettleTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Nudges, deadline reminders and digests go out between these hours of the recipient's own day.</summary>
    [Range(0, 23)]
    public int DaytimeStartHour { get; set; } = 9;

    [Range(1, 24)]
    public int DaytimeEndHour { get; set; } = 19;

    /// <summary>Days before a cohort's last day on which trainees who have not completed are reminded.</summary>
    public List<int> DeadlineDays { get; set; } = [7, 1];
}
