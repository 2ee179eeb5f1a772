namespace Cistrat.Learning.Core.Live;

public enum QuestionStatus
{
    Pending = 0,
    Open = 1,
    Answered = 2,
    Dismissed = 3,
    Withdrawn = 4,
}

public class RoomQuestion
{
    public long Id { get; set; }
    public int SessionId { get; set; }
    public required string AuthorId { get; set; }
    public bool Anonymous { get; set; }
    public required string Text { get; set; }
    public QuestionStatus Status { get; set; }
    public bool Pinned { get; set; }

    /// <summary>Count of <see cref="QuestionVote"/> rows, kept with the question so the room reads it in one query.</summary>
    public int Votes { get; set; }

    public string? Answer { get; set; }
    public bool AnsweredLive { get; set; }
    public string? AnsweredById { get; set; }
    public DateTime AskedAt { get; set; }
    public DateTime? AnsweredAt { get; set; }
}

/// <summary>One upvote; the key makes a second vote by the same person a no-op.</summary>
public class QuestionVote
{
    public long QuestionId { get; set; }
    public required string UserId { get; set; }
    public DateTime VotedAt { get; set; }
}

public class RoomPoll
{
    public long Id { get; set; }
    public int SessionId { get; set; }
    public required string Question { get; set; }

    /// <summary>The options as a JSON array of strings.</summary>
    public string OptionsJson { get; set; } = "[]";

    public bool Multiple { get; set; }
    public bool Closed { get; set; }
    public bool Revealed { get; set; }

    /// <summary>Votes per option as a JSON array of numbers, recounted with each batch of votes.</summary>
    public string CountsJson { get; set; } = "[]";

    public int Voters { get; set; }
    public DateTime OpenedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
}

public class PollVote
{
    public long PollId { get; set; }
    public required string UserId { get; set; }

    /// <summary>Chosen option indexes as a bit mask (at most 10 options).</summary>
    public int Choices { get; set; }

    public DateTime VotedAt { get; set; }
}

public class ChatMessage
{
    public long Id { get; set; }
    public int SessionId { get; set; }
    public required string AuthorId { get; set; }
    public required string Text { get; set; }
    public DateTime SentAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public string? DeletedById { get; set; }
}

public class RoomMute
{
    public int SessionId { get; set; }
    public required string UserId { get; set; }
    public string? MutedById { get; set; }
    public DateTime MutedAt { get; set; }
}

/// <summary>One connection's stay in a room. Several visits (tabs, reconnections) add up without counting twice.</summary>
public class AttendanceVisit
{
    public long Id { get; set; }
    public int SessionId { get; set; }
    public required string UserId { get; set; }
    public required string ConnectionId { get; set; }
    public DateTime JoinedAt { get; set; }

    /// <summary>Refreshed every minute while connected; a visit whose server died ends here.</summary>
    public DateTime LastSeenAt { get; set; }

    public DateTime? LeftAt { get; set; }

    /// <summary>Raised hand, kept on the visit so that every node's moderators see it; lowered when the visit ends.</summary>
    public bool HandRaised { get; set; }
}

/// <summary>A person's secret calendar feed; only the hash of the token is stored.</summary>
public class CalendarFeed
{
    public required string UserId { get; set; }
    public required string TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
}
