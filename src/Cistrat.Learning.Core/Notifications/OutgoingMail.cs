namespace Cistrat.Learning.Core.Notifications;

/// <summary>
/// One email, stored before anything tries to send it. <see cref="Key"/> is unique: whatever plans the same mail
/// twice (a job run again, two nodes sweeping at once) finds the row there and adds nothing.
/// </summary>
public class OutgoingMail
{
    public long Id { get; set; }

    /// <summary>What the mail is about and for whom, e.g. "session-reminder:12:1h:638..:user-id"; at most 200 characters.</summary>
    public required string Key { get; set; }

    /// <summary>One of <see cref="MailKinds"/>: picks the template and the preference that governs it.</summary>
    public required string Kind { get; set; }

    /// <summary>The recipient's account, when there is one (preferences and unsubscribe links need it).</summary>
    public string? UserId { get; set; }

    public required string ToAddress { get; set; }
    public string ToName { get; set; } = "";

    /// <summary>UI culture the template is rendered in ("en", "fr"...); falls back to English per string.</summary>
    public string Language { get; set; } = "en";

    /// <summary>IANA zone the template shows times in.</summary>
    public string TimeZoneId { get; set; } = "Etc/UTC";

    /// <summary>The template's model, serialised: the mail is rendered when it is sent, in the recipient's language.</summary>
    public string ModelJson { get; set; } = "{}";

    /// <summary>The cohort the mail belongs to, so that its coordinators see failures.</summary>
    public int? CohortId { get; set; }

    public MailStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Not sent before this instant: now for new mail, later after a transient failure.</summary>
    public DateTime NextAttemptAt { get; set; }
    public DateTime? SentAt { get; set; }

    /// <summary>Why the last attempt failed, or why the mail was not sent.</summary>
    public string? LastError { get; set; }

    /// <summary>The dispatcher run that holds the row until <see cref="ClaimedUntil"/>; other runs leave it alone.</summary>
    public Guid? ClaimToken { get; set; }
    public DateTime? ClaimedUntil { get; set; }
}

public enum MailStatus
{
    Pending = 0,
    Sent = 1,

    /// <summary>Gave up: a permanent SMTP refusal (bad address) or too many transient failures.</summary>
    Failed = 2,

    /// <summary>Not sent on purpose: the recipient turned the kind off, or what it announced no longer holds.</summary>
    Skipped = 3,
}

/// <summary>A person's choice for one kind of mail. No row means the kind's default.</summary>
public class NotificationPreference
{
    public required string UserId { get; set; }
    public required string Kind { get; set; }
    public bool Enabled { get; set; }

    /// <summary>Collect this kind into the weekly digest instead of a mail each time.</summary>
    public bool InDigest { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A coordinator's message to a cohort, or to part of it; shown on trainees' dashboards and mailed.</summary>
public class Announcement
{
    public int Id { get; set; }
    public int CohortId { get; set; }
    public required string AuthorId { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public AnnouncementAudience Audience { get; set; }

    /// <summary>With <see cref="AnnouncementAudience.Country"/>: ISO 3166-1 alpha-2 code.</summary>
    public string? Country { get; set; }
    public int RecipientCount { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<AnnouncementRecipient> Recipients { get; } = [];
}

public enum AnnouncementAudience
{
    AllTrainees = 0,

    /// <summary>Active trainees who have not met the completion rule yet.</summary>
    NotCompleted = 1,

    /// <summary>Active trainees with no activity for the cohort's nudge period.</summary>
    Inactive = 2,
    Country = 3,
}

/// <summary>Who an announcement was for, fixed when it was written, so that the dashboard shows it to them only.</summary>
public class AnnouncementRecipient
{
    public int AnnouncementId { get; set; }
    public required string UserId { get; set; }
}
