namespace Cistrat.Learning.Core.Notifications;

// The models templates are rendered from, stored as JSON in OutgoingMail.ModelJson. Times are UTC; the template
// shows them in the recipient's zone. Paths are relative to the site ("/sessions/12"): the renderer adds the host.

/// <param name="Occasion">"24h", "1h" (reminders) or "update" (a rescheduled or cancelled session).</param>
public sealed record SessionMailModel(
    int SessionId,
    int Sequence,
    string Title,
    string CohortName,
    string CourseTitle,
    DateTime StartsAtUtc,
    int DurationMinutes,
    string OrganiserTimeZoneId,
    string? AvLink,
    bool Cancelled,
    string Occasion);

public sealed record NudgeMailModel(
    int CohortId,
    string CohortName,
    string CourseTitle,
    string CourseSlug,
    int DaysInactive,
    int PercentComplete,
    string? NextLessonTitle,
    string? NextLessonPath);

public sealed record DeadlineMailModel(
    int CohortId,
    string CohortName,
    string CourseTitle,
    string CourseSlug,
    DateOnly EndsOn,
    int DaysLeft,
    int PercentComplete);

public sealed record AnnouncementMailModel(
    int AnnouncementId,
    int CohortId,
    string CohortName,
    string Subject,
    string Body,
    string AuthorName);

public sealed record DigestMailModel(
    DateOnly WeekOf,
    IReadOnlyList<DigestCohort> Cohorts,
    IReadOnlyList<DigestSession> Sessions,
    IReadOnlyList<DigestAnnouncement> Announcements);

public sealed record DigestCohort(int CohortId, string CohortName, string CourseTitle, string CourseSlug, int PercentComplete, DateOnly EndsOn);

public sealed record DigestSession(int SessionId, string Title, string CohortName, DateTime StartsAtUtc, bool Cancelled);

public sealed record DigestAnnouncement(int AnnouncementId, string CohortName, string Subject, DateTime CreatedAtUtc);

/// <param name="Link">The absolute confirmation or reset link Identity made.</param>
public sealed record AccountMailModel(string Link);

/// <summary>A certificate was issued: the mail carries its PDF (read from the database when the mail is sent).</summary>
public sealed record CertificateMailModel(int CertificateId, string Serial, string Kind, string CourseTitle, string CohortName, bool Reissue);
