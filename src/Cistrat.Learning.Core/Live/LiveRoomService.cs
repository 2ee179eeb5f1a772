using System.Text.Json;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Live;

/// <summary>
/// The room's state in the database: every change is written together with the room's next version, and
/// returns that version for the event that announces it. Callers have checked the person's role already
/// (see <see cref="RoleAsync"/>); methods check what depends on the data (the author, an answered question...).
/// </summary>
public sealed class LiveRoomService(LearningDbContext db, TimeProvider time, RoomSnapshots snapshots)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The person's role in the session's cohort, or <see cref="RoomRole.None"/> (also for an unknown session).</summary>
    public async Task<RoomRole> RoleAsync(int sessionId, string userId, Func<string, bool> isInRole, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(isInRole);
        var cohortId = await CohortOfAsync(sessionId, ct);
        if (cohortId is null)
            return RoomRole.None;
        if (isInRole(Roles.Admin))
            return RoomRole.Admin;
        var staff = await db.CohortStaff.Where(s => s.CohortId == cohortId && s.UserId == userId).Select(s => s.Role).ToListAsync(ct);
        var enrolled = await db.Enrolments.AnyAsync(e => e.CohortId == cohortId && e.UserId == userId && e.Status == EnrolmentStatus.Active, ct);
        return RoomMembers.Decide(staff, enrolled, isInRole);
    }

    /// <summary>
    /// Everyone who may be in the session's room by their place in its cohort (staff and active trainees), read at
    /// once; null for an unknown session. See <see cref="RoomMembers.RoleOf"/>.
    /// </summary>
    public async Task<RoomMembers?> MembersAsync(int sessionId, CancellationToken ct = default)
    {
        var cohortId = await CohortOfAsync(sessionId, ct);
        if (cohortId is null)
            return null;
        var staff = await db.CohortStaff.AsNoTracking().Where(s => s.CohortId == cohortId).Select(s => new { s.UserId, s.Role }).ToListAsync(ct);
        var trainees = await db.Enrolments.AsNoTracking()
            .Where(e => e.CohortId == cohortId && e.Status == EnrolmentStatus.Active).Select(e => e.UserId).ToListAsync(ct);
        return new RoomMembers(
            staff.GroupBy(s => s.UserId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<StaffRole>)[.. g.Select(s => s.Role)], StringComparer.Ordinal),
            trainees.ToHashSet(StringComparer.Ordinal));
    }

    private Task<int?> CohortOfAsync(int sessionId, CancellationToken ct) =>
        db.LiveSessions.Where(s => s.Id == sessionId).Select(s => (int?)s.CohortId).SingleOrDefaultAsync(ct);

    public Task<long> CurrentVersionAsync(int sessionId, CancellationToken ct = default) =>
        db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.Version).SingleAsync(ct);

    public async Task<RoomSnapshot> SnapshotAsync(int sessionId, string userId, RoomRole role, CancellationToken ct = default)
    {
        // The version is read first: what follows is at least that new, and any event a client then applies
        // again carries a whole item's state, so applying it twice changes nothing.
        var session = await db.LiveSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, ct)
            ?? throw RoomException.NotFound("No such session.");
        var staff = role.IsStaff();
        // Read once for everyone joining at this version, so not cancelled with this caller's connection.
        var shared = await snapshots.SharedAsync(session, () => SharedAsync(session, CancellationToken.None));
        var questions = staff
            ? shared.Questions
            : [.. shared.Questions.Where(q => q.Status != QuestionStatus.Dismissed && (q.Status != QuestionStatus.Pending || q.AuthorId == userId))];

        var myVotes = shared.Questions.Count == 0 ? [] : await db.QuestionVotes
            .Where(v => v.UserId == userId && db.RoomQuestions.Any(q => q.Id == v.QuestionId && q.SessionId == sessionId))
            .Select(v => v.QuestionId).ToListAsync(ct);
        var myPollVotes = shared.Polls.Count == 0 ? [] : await db.PollVotes
            .Where(v => v.UserId == userId && db.RoomPolls.Any(p => p.Id == v.PollId && p.SessionId == sessionId))
            .ToDictionaryAsync(v => v.PollId, v => (IReadOnlyList<int>)PollChoices.FromMask(v.Choices), ct);
        var muted = await db.RoomMutes.AnyAsync(m => m.SessionId == sessionId && m.UserId == userId, ct);
        var participants = await snapshots.ParticipantCountAsync(sessionId, () => ParticipantCountAsync(sessionId, CancellationToken.None));

        return new RoomSnapshot(
            sessionId, session.Version, ViewOf(session, Now), role.Name(), session.CurrentSlide, session.Notes,
            [.. RoomOrder.Questions(questions).Select(q => QuestionOf(q, shared.Names.GetValueOrDefault(q.AuthorId, ""), staff, q.AuthorId == userId))],
            [.. shared.Polls.Select(p => PollOf(p, staff))],
            [.. shared.Chat.Select(m => ChatOf(m, shared.Names.GetValueOrDefault(m.AuthorId, ""), shared.StaffIds.Contains(m.AuthorId), staff))],
            myVotes, myPollVotes, muted, participants);
    }

    /// <summary>What every participant's snapshot shares, read at or after the session's version.</summary>
    private async Task<RoomShared> SharedAsync(LiveSession session, CancellationToken ct)
    {
        var questions = await db.RoomQuestions.AsNoTracking()
            .Where(q => q.SessionId == session.Id && q.Status != QuestionStatus.Withdrawn)
            .ToListAsync(ct);
        var polls = await db.RoomPolls.AsNoTracking().Where(p => p.SessionId == session.Id).OrderBy(p => p.Id).ToListAsync(ct);
        var chat = await db.ChatMessages.AsNoTracking()
            .Where(m => m.SessionId == session.Id && m.DeletedAt == null)
            .OrderByDescending(m => m.Id).Take(LiveLimits.ChatInSnapshot).ToListAsync(ct);
        chat.Reverse();
        var names = await NamesAsync(questions.Select(q => q.AuthorId).Concat(chat.Select(m => m.AuthorId)), ct);
        var staffIds = await StaffIdsAsync(session.CohortId, ct);
        staffIds.UnionWith(await AdminsAmongAsync(chat.Select(m => m.AuthorId), ct));
        return new RoomShared(questions, polls, chat, names, staffIds);
    }

    public async Task<long> GoToSlideAsync(int sessionId, int slide, CancellationToken ct = default)
    {
        var count = await db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.DeckSlideCount).SingleAsync(ct);
        if (slide < 1 || slide > Math.Max(count, 1))
            throw RoomException.Invalid($"The deck has {count} slides.");
        return await ChangeAsync(sessionId, () => db.LiveSessions.Where(s => s.Id == sessionId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.CurrentSlide, slide), ct), ct);
    }

    /// <summary>Stores the notes as cleaned text; returns the version and the text as stored, for the event.</summary>
    public async Task<(long Version, string Notes)> SetNotesAsync(int sessionId, string notes, CancellationToken ct = default)
    {
        var text = RoomText.Clean(notes, "Notes", LiveLimits.NotesLength, allowEmpty: true, multiline: true);
        var version = await ChangeAsync(sessionId, () => db.LiveSessions.Where(s => s.Id == sessionId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Notes, text), ct), ct);
        return (version, text);
    }

    public async Task<(long Version, RoomQuestion Question)> AskAsync(int sessionId, string userId, string text, bool anonymous, CancellationToken ct = default)
    {
        var clean = RoomText.Clean(text, "A question", LiveLimits.QuestionLength, multiline: true);
        var premoderation = await db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.Premoderation).SingleAsync(ct);
        var question = new RoomQuestion
        {
            SessionId = sessionId, AuthorId = userId, Anonymous = anonymous, Text = clean, AskedAt = Now,
            Status = premoderation ? QuestionStatus.Pending : QuestionStatus.Open,
        };
        var version = await ChangeAsync(sessionId, async () =>
        {
            db.RoomQuestions.Add(question);
            await db.SaveChangesAsync(ct);
            db.Entry(question).State = EntityState.Detached;
        }, ct);
        return (version, question);
    }

    public async Task<(long Version, RoomQuestion Question)> EditQuestionAsync(int sessionId, long questionId, string userId, string text, CancellationToken ct = default)
    {
        var clean = RoomText.Clean(text, "A question", LiveLimits.QuestionLength, multiline: true);
        var question = await OwnOpenQuestionAsync(sessionId, questionId, userId, ct);
        question.Text = clean;
        var version = await ChangeAsync(sessionId, () => db.SaveChangesAsync(ct), ct);
        return (version, question);
    }

    public async Task<(long Version, RoomQuestion Question)> WithdrawQuestionAsync(int sessionId, long questionId, string userId, CancellationToken ct = default)
    {
        var question = await OwnOpenQuestionAsync(sessionId, questionId, userId, ct);
        question.Status = QuestionStatus.Withdrawn;
        question.Pinned = false;
        var version = await ChangeAsync(sessionId, () => db.SaveChangesAsync(ct), ct);
        return (version, question);
    }

    public async Task<(long Version, RoomQuestion Question)> ModerateAsync(int sessionId, long questionId, string action, string moderatorId, CancellationToken ct = default)
    {
        var question = await QuestionAsync(sessionId, questionId, ct);
        if (question.Status == QuestionStatus.Withdrawn)
            throw RoomException.Closed("The author withdrew this question.");
        switch (action)
        {
            case "approve":
                if (question.Status == QuestionStatus.Pending)
                    question.Status = QuestionStatus.Open;
                break;
            case "pin":
                question.Pinned = true;
                break;
            case "unpin":
                question.Pinned = false;
                break;
            case "dismiss":
                question.Status = QuestionStatus.Dismissed;
                question.Pinned = false;
                break;
            case "answered-live":
                question.Status = QuestionStatus.Answered;
                question.AnsweredLive = true;
                question.AnsweredById = moderatorId;
                question.AnsweredAt ??= Now;
                break;
            default:
                throw RoomException.Invalid("The action must be approve, pin, unpin, dismiss or answered-live.");
        }

        var version = await ChangeAsync(sessionId, () => db.SaveChangesAsync(ct), ct);
        return (version, question);
    }

    public async Task<(long Version, RoomQuestion Question)> AnswerAsync(int sessionId, long questionId, string answer, string moderatorId, CancellationToken ct = default)
    {
        var clean = RoomText.Clean(answer, "An answer", LiveLimits.AnswerLength, multiline: true);
        var question = await QuestionAsync(sessionId, questionId, ct);
        if (question.Status == QuestionStatus.Withdrawn)
            throw RoomException.Closed("The author withdrew this question.");
        question.Answer = clean;
        question.Status = QuestionStatus.Answered;
        question.AnsweredById = moderatorId;
        question.AnsweredAt = Now;
        var version = await ChangeAsync(sessionId, () => db.SaveChangesAsync(ct), ct);
        return (version, question);
    }

    public async Task<(long Version, RoomPoll Poll)> OpenPollAsync(int sessionId, string question, IReadOnlyList<string>? options, bool multiple, CancellationToken ct = default)
    {
        var text = RoomText.Clean(question, "A poll's question", LiveLimits.PollQuestionLength);
        if (options is null || options.Count is < LiveLimits.PollOptionsMin or > LiveLimits.PollOptionsMax)
            throw RoomException.Invalid($"A poll has {LiveLimits.PollOptionsMin} to {LiveLimits.PollOptionsMax} options.");
        var clean = options.Select(o => RoomText.Clean(o, "An option", LiveLimits.PollOptionLength)).ToList();
        if (clean.Distinct(StringComparer.OrdinalIgnoreCase).Count() != clean.Count)
            throw RoomException.Invalid("Two options are the same.");
        var poll = new RoomPoll
        {
            SessionId = sessionId, Question = text, OptionsJson = JsonSerializer.Serialize(clean), Multiple = multiple,
            CountsJson = JsonSerializer.Serialize(new int[clean.Count]), OpenedAt = Now,
        };
        var version = await ChangeAsync(sessionId, async () =>
        {
            db.RoomPolls.Add(poll);
            await db.SaveChangesAsync(ct);
            db.Entry(poll).State = EntityState.Detached;
        }, ct);
        return (version, poll);
    }

    public async Task<(long Version, RoomPoll Poll)> RevealPollAsync(int sessionId, long pollId, CancellationToken ct = default)
    {
        var poll = await PollAsync(sessionId, pollId, ct);
        poll.Revealed = true;
        var version = await ChangeAsync(sessionId, () => db.SaveChangesAsync(ct), ct);
        return (version, poll);
    }

    public async Task<(long Version, RoomPoll Poll)> ClosePollAsync(int sessionId, long pollId, CancellationToken ct = default)
    {
        var poll = await PollAsync(sessionId, pollId, ct);
        if (!poll.Closed)
        {
            poll.Closed = true;
            poll.ClosedAt = Now;
        }

        var version = await ChangeAsync(sessionId, () => db.SaveChangesAsync(ct), ct);
        return (version, poll);
    }

    /// <summary>Checks a poll vote before it joins a batch: the poll is open and the choices fit it.</summary>
    public async Task<int> ValidatePollVoteAsync(int sessionId, long pollId, IReadOnlyList<int>? choices, CancellationToken ct = default)
    {
        var poll = await db.RoomPolls.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pollId && p.SessionId == sessionId, ct)
            ?? throw RoomException.NotFound("No such poll in this room.");
        if (poll.Closed)
            throw RoomException.Closed("This poll is closed.");
        var optionCount = JsonSerializer.Deserialize<List<string>>(poll.OptionsJson)?.Count ?? 0;
        if (choices is null || choices.Count == 0 || (!poll.Multiple && choices.Count != 1) || choices.Any(c => c < 0 || c >= optionCount)
            || choices.Distinct().Count() != choices.Count)
            throw RoomException.Invalid(poll.Multiple ? "Choose one or more of the options." : "Choose exactly one option.");
        return PollChoices.ToMask(choices);
    }

    /// <summary>
    /// Checks an upvote before it joins a batch: the question is visible to trainees and not the voter's own.
    /// <paramref name="lookup"/> may answer from a cache of a second or two: in an upvote storm thousands of votes
    /// ask about the same question, and a vote that slips in just after a dismissal changes nothing anyone sees.
    /// </summary>
    public async Task ValidateUpvoteAsync(int sessionId, long questionId, string userId, Func<long, Task<UpvoteTarget?>>? lookup = null, CancellationToken ct = default)
    {
        var question = await (lookup ?? (id => UpvoteTargetAsync(id, ct)))(questionId);
        if (question is null || question.SessionId != sessionId)
            throw RoomException.NotFound("No such question in this room.");
        if (question.Status is QuestionStatus.Pending or QuestionStatus.Dismissed or QuestionStatus.Withdrawn)
            throw RoomException.Closed("This question cannot be voted for.");
        if (question.AuthorId == userId)
            throw RoomException.Invalid("You cannot vote for your own question.");
    }

    public Task<UpvoteTarget?> UpvoteTargetAsync(long questionId, CancellationToken ct = default) =>
        db.RoomQuestions.AsNoTracking().Where(q => q.Id == questionId)
            .Select(q => new UpvoteTarget(q.SessionId, q.Status, q.AuthorId)).SingleOrDefaultAsync(ct);

    public async Task<(long Version, ChatMessage Message)> SendChatAsync(int sessionId, string userId, string text, CancellationToken ct = default)
    {
        var clean = RoomText.Clean(text, "A message", LiveLimits.ChatLength, multiline: true);
        if (await db.RoomMutes.AnyAsync(m => m.SessionId == sessionId && m.UserId == userId, ct))
            throw new RoomException("muted", "A moderator has muted you in this room.");
        var message = new ChatMessage { SessionId = sessionId, AuthorId = userId, Text = clean, SentAt = Now };
        var version = await ChangeAsync(sessionId, async () =>
        {
            db.ChatMessages.Add(message);
            await db.SaveChangesAsync(ct);
            db.Entry(message).State = EntityState.Detached;
        }, ct);
        return (version, message);
    }

    public async Task<long> DeleteChatAsync(int sessionId, long messageId, string moderatorId, CancellationToken ct = default)
    {
        var message = await db.ChatMessages.SingleOrDefaultAsync(m => m.Id == messageId && m.SessionId == sessionId && m.DeletedAt == null, ct)
            ?? throw RoomException.NotFound("No such message in this room.");
        message.DeletedAt = Now;
        message.DeletedById = moderatorId;
        return await ChangeAsync(sessionId, () => db.SaveChangesAsync(ct), ct);
    }

    /// <summary>Mutes or unmutes a participant's chat; staff cannot be muted.</summary>
    public async Task SetMutedAsync(int sessionId, string userId, bool muted, string moderatorId, Func<string, Task<RoomRole>> roleOf, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(roleOf);
        var role = await roleOf(userId);
        if (role == RoomRole.None)
            throw RoomException.NotFound("That person is not in this room.");
        if (role.IsStaff())
            throw RoomException.Forbidden("Lecturers and coordinators cannot be muted.");
        var existing = await db.RoomMutes.SingleOrDefaultAsync(m => m.SessionId == sessionId && m.UserId == userId, ct);
        if (muted && existing is null)
            db.RoomMutes.Add(new RoomMute { SessionId = sessionId, UserId = userId, MutedById = moderatorId, MutedAt = Now });
        else if (!muted && existing is not null)
            db.RoomMutes.Remove(existing);
        await db.SaveChangesAsync(ct);
    }

    public async Task RaiseHandAsync(string connectionId, bool raised, CancellationToken ct = default) =>
        await db.AttendanceVisits.Where(v => v.ConnectionId == connectionId && v.LeftAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(v => v.HandRaised, raised), ct);

    /// <summary>Who is connected now (fresh, open visits), with their raised hands.</summary>
    public async Task<IReadOnlyList<ParticipantView>> ParticipantsAsync(int sessionId, CancellationToken ct = default)
    {
        var fresh = Now - Attendance.StaleAfter;
        var visits = await db.AttendanceVisits.AsNoTracking()
            .Where(v => v.SessionId == sessionId && v.LeftAt == null && v.LastSeenAt >= fresh)
            .Select(v => new { v.UserId, v.HandRaised }).ToListAsync(ct);
        var names = await NamesAsync(visits.Select(v => v.UserId), ct);
        var cohortId = await db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.CohortId).SingleAsync(ct);
        var staff = await db.CohortStaff.Where(s => s.CohortId == cohortId).ToListAsync(ct);
        var muted = (await db.RoomMutes.Where(m => m.SessionId == sessionId).Select(m => m.UserId).ToListAsync(ct)).ToHashSet();
        var admins = await AdminsAmongAsync(visits.Select(v => v.UserId), ct);
        return [.. visits.GroupBy(v => v.UserId)
            .Select(g => new ParticipantView(g.Key, names.GetValueOrDefault(g.Key, ""),
                admins.Contains(g.Key) ? "admin"
                : staff.Where(s => s.UserId == g.Key).Select(s => s.Role == StaffRole.Coordinator ? "coordinator" : "lecturer").FirstOrDefault() ?? "trainee",
                g.Any(v => v.HandRaised), g.Count(), muted.Contains(g.Key)))
            .OrderByDescending(p => p.HandRaised).ThenBy(p => p.Name, StringComparer.CurrentCulture)];
    }

    public Task<int> ParticipantCountAsync(int sessionId, CancellationToken ct = default)
    {
        var fresh = Now - Attendance.StaleAfter;
        return db.AttendanceVisits.Where(v => v.SessionId == sessionId && v.LeftAt == null && v.LastSeenAt >= fresh)
            .Select(v => v.UserId).Distinct().CountAsync(ct);
    }

    public async Task<string> NameOfAsync(string userId, CancellationToken ct = default) =>
        (await NamesAsync([userId], ct)).GetValueOrDefault(userId, "");

    /// <summary>Raises the room's version, for a change written elsewhere (a batch of votes).</summary>
    public Task<long> BumpAsync(int sessionId, CancellationToken ct = default) => ChangeAsync(sessionId, () => Task.CompletedTask, ct);

    public static SessionView ViewOf(LiveSession session, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(session);
        var phase = session.PhaseAt(utcNow);
        var slides = session.DeckKind == DeckKind.Markdown
            ? JsonSerializer.Deserialize<List<string>>(session.DeckSlidesJson) ?? []
            : [];
        return new SessionView(
            session.Id, session.Title, session.StartsAt, session.EndsAt, session.OrganiserTimeZoneId,
            phase.ToString().ToLowerInvariant(), session.Premoderation, session.AvLink,
            new DeckView(session.DeckKind.ToString().ToLowerInvariant(), session.DeckSlideCount, slides));
    }

    /// <summary>A question as one audience sees it (see the room's README on redaction).</summary>
    public static QuestionView QuestionOf(RoomQuestion q, string authorName, bool forStaff, bool mine)
    {
        ArgumentNullException.ThrowIfNull(q);
        var hidden = !forStaff && !mine && q.Status == QuestionStatus.Pending;
        var showAuthor = !hidden && (forStaff || mine || !q.Anonymous);
        return new QuestionView(
            q.Id, hidden ? null : q.Text, showAuthor ? authorName : null, q.Anonymous, mine,
            q.Status.ToString().ToLowerInvariant(), q.Pinned, q.Votes, q.Answer, q.AnsweredLive, q.AskedAt, q.AnsweredAt);
    }

    public static PollView PollOf(RoomPoll p, bool forStaff)
    {
        ArgumentNullException.ThrowIfNull(p);
        var show = forStaff || p.Revealed;
        return new PollView(
            p.Id, p.Question, JsonSerializer.Deserialize<List<string>>(p.OptionsJson) ?? [], p.Multiple,
            p.Closed ? "closed" : "open", p.Revealed,
            show ? JsonSerializer.Deserialize<List<int>>(p.CountsJson) : null, show ? p.Voters : null, p.OpenedAt, p.ClosedAt);
    }

    public static ChatView ChatOf(ChatMessage m, string authorName, bool authorIsStaff, bool forStaff)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new ChatView(m.Id, authorName, forStaff ? m.AuthorId : null, authorIsStaff, m.Text, m.SentAt);
    }

    private Task<long> ChangeAsync(int sessionId, Func<Task> change, CancellationToken ct) =>
        RoomVersion.ChangeAsync(db, sessionId, change, ct);

    private async Task<RoomQuestion> QuestionAsync(int sessionId, long questionId, CancellationToken ct) =>
        await db.RoomQuestions.SingleOrDefaultAsync(q => q.Id == questionId && q.SessionId == sessionId, ct)
        ?? throw RoomException.NotFound("No such question in this room.");

    private async Task<RoomQuestion> OwnOpenQuestionAsync(int sessionId, long questionId, string userId, CancellationToken ct)
    {
        var question = await QuestionAsync(sessionId, questionId, ct);
        if (question.AuthorId != userId)
            throw RoomException.Forbidden("Only the author may change a question.");
        if (question.Status is QuestionStatus.Answered or QuestionStatus.Dismissed or QuestionStatus.Withdrawn)
            throw RoomException.Closed("This question can no longer be changed.");
        return question;
    }

    private async Task<RoomPoll> PollAsync(int sessionId, long pollId, CancellationToken ct) =>
        await db.RoomPolls.SingleOrDefaultAsync(p => p.Id == pollId && p.SessionId == sessionId, ct)
        ?? throw RoomException.NotFound("No such poll in this room.");

    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string> userIds, CancellationToken ct)
    {
        var ids = userIds.Distinct().ToList();
        if (ids.Count == 0)
            return [];
        var rows = await db.Users.Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.FullName, u.Email }).ToListAsync(ct);
        return rows.ToDictionary(u => u.Id, u => string.IsNullOrWhiteSpace(u.FullName) ? u.Email ?? "" : u.FullName);
    }

    /// <summary>Which of these people are admins: staff in every room, whether or not the cohort names them.</summary>
    private async Task<HashSet<string>> AdminsAmongAsync(IEnumerable<string> userIds, CancellationToken ct)
    {
        var ids = userIds.Distinct().ToList();
        if (ids.Count == 0)
            return [];
        return [.. await (from ur in db.UserRoles
                          join r in db.Roles on ur.RoleId equals r.Id
                          where r.Name == Roles.Admin && ids.Contains(ur.UserId)
                          select ur.UserId).ToListAsync(ct)];
    }

    private async Task<HashSet<string>> StaffIdsAsync(int cohortId, CancellationToken ct) =>
        [.. await db.CohortStaff.Where(s => s.CohortId == cohortId).Select(s => s.UserId).ToListAsync(ct)];
}

/// <summary>What an upvote needs to know about its question.</summary>
public sealed record UpvoteTarget(int SessionId, QuestionStatus Status, string AuthorId);

/// <summary>Pinned first, then most votes, then oldest: the order everyone sees.</summary>
public static class RoomOrder
{
    public static IEnumerable<RoomQuestion> Questions(IEnumerable<RoomQuestion> questions) =>
        questions.OrderByDescending(q => q.Pinned).ThenByDescending(q => q.Votes).ThenBy(q => q.AskedAt).ThenBy(q => q.Id);
}

public static class PollChoices
{
    public static int ToMask(IEnumerable<int> choices) => choices.Aggregate(0, (mask, c) => mask | (1 << c));

    public static List<int> FromMask(int mask) => [.. Enumerable.Range(0, LiveLimits.PollOptionsMax).Where(i => (mask & (1 << i)) != 0)];
}

/// <summary>Plain text as the room stores it: trimmed, control characters removed, within its limit.</summary>
public static class RoomText
{
    public static string Clean(string? text, string what, int limit, bool allowEmpty = false, bool multiline = false)
    {
        var kept = new string((text ?? "").Where(c => !char.IsControl(c) || (multiline && c == '\n') || c == '\t').ToArray()).Trim();
        if (kept.Length == 0 && !allowEmpty)
            throw RoomException.Invalid($"{what} cannot be empty.");
        if (kept.Length > limit)
            throw RoomException.TooLong(what, limit);
        return kept;
    }
}
