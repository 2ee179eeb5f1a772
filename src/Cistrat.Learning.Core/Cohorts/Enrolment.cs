namespace Cistrat.Learning.Core.Cohorts;

public class Enrolment
{
    public int Id { get; set; }
    public int CohortId { get; set; }
    public Cohort? Cohort { get; set; }
    public required string UserId { get; set; }
    public EnrolmentStatus Status { get; set; }
    public DateTime RequestedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecidedById { get; set; }
}

public enum EnrolmentStatus
{
    Pending = 0,
    Active = 1,
    Rejected = 2,
    Withdrawn = 3,
}

/// <summary>An email address invited to a cohort before it had an account; redeemed at registration.</summary>
public class Invitation
{
    public int Id { get; set; }
    public int CohortId { get; set; }

    /// <summary>Upper-cased, as Identity normalises emails.</summary>
    public required string NormalizedEmail { get; set; }
    public DateTime InvitedAt { get; set; }
    public string? InvitedById { get; set; }
    public DateTime? RedeemedAt { get; set; }
}
