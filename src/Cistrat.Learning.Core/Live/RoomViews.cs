namespace Cistrat.Learning.Core.Live;

/// <summary>What a person may do in one room, from their enrolment or staff role in the session's cohort.</summary>
public enum RoomRole
{
    None = 0,
    Trainee = 1,
    Lecturer = 2,
    Coordinator = 3,
    Admin = 4,
}

public static class RoomRoles
{
    public static bool IsStaff(this RoomRole role) => role >= RoomRole.Lecturer;

    public static string Name(this RoomRole role) => role switch
    {
        RoomRole.Trainee => "trainee",
        RoomRole.Lecturer => "lecturer",
        RoomRole.Coordinator => "coordinator",
        RoomRole.Admin => "admin",
        _ => "none",
    };
}

public sealed record DeckView(string Kind, int Count, IReadOnlyList<string> Slides);

public sealed record SessionView(
    int Id, string Title, DateTime StartsAt, DateTime EndsAt, string OrganiserTimeZone, string Status,
    bool Premoderation, string? AvLink, DeckView Deck);

public sealed record QuestionView(
    long Id, string? Text, string? Author, bool Anonymous, bool Mine, string Status, bool Pinned, int Votes,
    string? Answer, bool AnsweredLive, DateTime AskedAt, DateTime? AnsweredAt);

public sealed record VoteCount(long QuestionId, int Votes);

public sealed record PollView(
    long Id, string Question, IReadOnlyList<string> Options, bool Multiple, string Status, bool Revealed,
    IReadOnlyList<int>? Counts, int? Voters, DateTime OpenedAt, DateTime? ClosedAt);

public sealed record ChatView(long Id, string Author, string? AuthorId, bool Staff, string Text, DateTime SentAt);

public sealed record ParticipantView(string UserId, string Name, string Role, bool HandRaised, int Connections, bool Muted);

public sealed record RoomSnapshot(
    int SessionId, long Version, SessionView Session, string Role, int Slide, string Notes,
    IReadOnlyList<QuestionView> Questions, IReadOnlyList<PollView> Polls, IReadOnlyList<ChatView> Chat,
    IReadOnlyList<long> MyVotes, IReadOnlyDictionary<long, IReadOnlyList<int>> MyPollVotes, bool Muted, int Participants);

/// <summary>A refusal the hub passes to the caller as <c>code: message</c>.</summary>
public sealed class RoomException(string code, string message) : Exception($"{code}: {message}")
{
    public string Code { get; } = code;

    public static RoomException NotFound(string what) => new("not-found", what);

    public static RoomException Forbidden(string what) => new("forbidden", what);

    public static RoomException Invalid(string what) => new("invalid", what);

    public static RoomException TooLong(string what, int limit) => new("too-long", $"{what} is longer than {limit} characters.");

    public static RoomException Closed(string what) => new("closed", what);
}
