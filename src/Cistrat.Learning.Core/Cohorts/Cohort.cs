using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;

namespace Cistrat.Learning.Core.Cohorts;

/// <summary>One run of a course, with its own dates, people and enrolment policy.</summary>
public class Cohort
{
    public int Id { get; set; }
    public int CourseId { get; set; }
    public Course? Course { get; set; }
    public required string Name { get; set; }

    /// <summary>Calendar dates in the cohort's own time zone.</summary>
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }

    /// <summary>IANA time zone id the cohort is organised in.</summary>
    public string TimeZoneId { get; set; } = "Etc/UTC";
    public EnrolmentPolicy Policy { get; set; }

    /// <summary>Required when <see cref="Policy"/> is <see cref="EnrolmentPolicy.InvitationCode"/>.</summary>
    public string? InvitationCode { get; set; }

    /// <summary>Most active and pending enrolments at once; null for no limit.</summary>
    public int? Capacity { get; set; }
    public DateTime CreatedAt { get; set; }

    public CompletionRule CompletionRule { get; set; } = new();

    /// <summary>Days without activity after which a trainee gets one friendly nudge; null turns nudges off.</summary>
    public int? NudgeAfterDays { get; set; } = 7;

    /// <summary>Issue a completion certificate by itself as soon as a trainee completes (no coordinator step).</summary>
    public bool AutoIssueCertificates { get; set; }

    /// <summary>Share of live-session time attended that earns a certificate of participation, in percent.</summary>
    public int ParticipationAttendancePercent { get; set; } = 75;

    public List<CohortStaff> Staff { get; } = [];
    public List<Enrolment> Enrolments { get; } = [];
}

public enum EnrolmentPolicy
{
    Open = 0,
    InvitationCode = 1,
    Approval = 2,
}

/// <summary>A lecturer or coordinator of one cohort.</summary>
public class CohortStaff
{
    public int CohortId { get; set; }
    public required string UserId { get; set; }
    public StaffRole Role { get; set; }
}

public enum StaffRole
{
    Lecturer = 0,
    Coordinator = 1,
}
