using System.Security.Claims;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>The events a room sends; the contract is in this feature's README.md.</summary>
public interface ILiveClient
{
    Task SlideChanged(int sessionId, long version, int slide);

    Task NotesChanged(int sessionId, long version, string notes);

    Task QuestionChanged(int sessionId, long version, QuestionView question);

    Task VotesChanged(int sessionId, long version, IReadOnlyList<VoteCount> counts, IReadOnlyList<PollView> polls);

    Task PollChanged(int sessionId, long version, PollView poll);

    Task ChatReceived(int sessionId, long version, ChatView message);

    Task ChatDeleted(int sessionId, long version, long messageId);

    Task SessionChanged(int sessionId, long version, SessionView session);

    Task PresenceChanged(int sessionId, int count);

    Task HandChanged(int sessionId, ParticipantView participant);

    Task MutedChanged(int sessionId, bool muted);
}

/// <summary>
/// The live room. Every method checks the caller's role in that session (from the cohort's staff and trainees,
/// which <see cref="RoomAccess"/> keeps two minutes), writes to the database first, and only then announces the change.
/// </summary>
[Authorize]
public sealed partial class LiveHub(
    LiveRoomService room, RoomWriter writer, RoomAccess access, RoomRateLimits limits, TimeProvider time, ILogger<LiveHub> log)
    : Hub<ILiveClient>
{
    private string UserId => Context.User!.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<RoomSnapshot> Join(int sessionId)
    {
        var role = await access.RoleAsync(sessionId, Context.User!, Context.ConnectionAborted);
        if (role == RoomRole.None)
            throw Refuse(RoomException.NotFound("No such session, or you are not one of its participants."));
        if (writer.RoomOf(Context.ConnectionId) is { } other && other != sessionId)
            await LeaveRoomAsync(other);

        await Groups.AddToGroupAsync(Context.ConnectionId, RoomGroups.All(sessionId));
        await Groups.AddToGroupAsync(Context.ConnectionId, role.IsStaff() ? RoomGroups.Staff(sessionId) : RoomGroups.Trainees(sessionId));
        if (writer.RoomOf(Context.ConnectionId) is null)
        {
            writer.Connected(Context.ConnectionId, sessionId);
            // Awaited (one batch, a few milliseconds): a hand raised right after joining needs the visit stored.
            await writer.WriteAsync(new RoomWrite.Joined(sessionId, UserId, Context.ConnectionId, Now), Context.ConnectionAborted);
        }

        return await room.SnapshotAsync(sessionId, UserId, role, Context.ConnectionAborted);
    }

    public async Task<RoomSnapshot?> Sync(int sessionId, long version)
    {
        var role = await RequireAsync(sessionId, RoomRole.Trainee);
        // A new connection (after a reconnect that was not stateful) is in no group yet: it must Join, which
        // also answers with a snapshot.
        if (writer.RoomOf(Context.ConnectionId) != sessionId)
            throw Refuse(new RoomException("not-joined", "Join the room first."));
        var current = await room.CurrentVersionAsync(sessionId, Context.ConnectionAborted);
        return current == version ? null : await room.SnapshotAsync(sessionId, UserId, role, Context.ConnectionAborted);
    }

    public async Task Leave(int sessionId)
    {
        await RequireAsync(sessionId, RoomRole.Trainee);
        await LeaveRoomAsync(sessionId);
    }

    public async Task GoToSlide(int sessionId, int slide)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        var version = await Guard(() => room.GoToSlideAsync(sessionId, slide, Context.ConnectionAborted));
        await NotifyAsync(() => Clients.Group(RoomGroups.All(sessionId)).SlideChanged(sessionId, version, slide));
    }

    public async Task SetNotes(int sessionId, string notes)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        var (version, stored) = await Guard(() => room.SetNotesAsync(sessionId, notes, Context.ConnectionAborted));
        await NotifyAsync(() => Clients.Group(RoomGroups.All(sessionId)).NotesChanged(sessionId, version, stored));
    }

    public async Task<QuestionView> Ask(int sessionId, string text, bool anonymous)
    {
        await RequireOpenAsync(sessionId, RoomRole.Trainee, traineesOnly: true);
        limits.Check(RoomLimit.Ask, UserId, sessionId);
        var (version, question) = await Guard(() => room.AskAsync(sessionId, UserId, text, anonymous, Context.ConnectionAborted));
        return await AnnounceAsync(sessionId, version, question, callerIsStaff: false);
    }

    public async Task<QuestionView> EditQuestion(int sessionId, long questionId, string text)
    {
        await RequireOpenAsync(sessionId, RoomRole.Trainee, traineesOnly: true);
        limits.Check(RoomLimit.Ask, UserId, sessionId);
        var (version, question) = await Guard(() => room.EditQuestionAsync(sessionId, questionId, UserId, text, Context.ConnectionAborted));
        return await AnnounceAsync(sessionId, version, question, callerIsStaff: false);
    }

    public async Task WithdrawQuestion(int sessionId, long questionId)
    {
        await RequireOpenAsync(sessionId, RoomRole.Trainee, traineesOnly: true);
        var (version, question) = await Guard(() => room.WithdrawQuestionAsync(sessionId, questionId, UserId, Context.ConnectionAborted));
        await AnnounceAsync(sessionId, version, question, callerIsStaff: false);
    }

    public async Task Upvote(int sessionId, long questionId)
    {
        await RequireOpenAsync(sessionId, RoomRole.Trainee, traineesOnly: true);
        limits.Check(RoomLimit.Upvote, UserId, sessionId);
        await Guard(() => room.ValidateUpvoteAsync(sessionId, questionId, UserId, access.UpvoteTargetAsync, Context.ConnectionAborted));
        await writer.WriteAsync(new RoomWrite.Upvote(sessionId, questionId, UserId, Now), Context.ConnectionAborted);
    }

    public async Task ModerateQuestion(int sessionId, long questionId, string action)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        var (version, question) = await Guard(() => room.ModerateAsync(sessionId, questionId, action, UserId, Context.ConnectionAborted));
        await AnnounceAsync(sessionId, version, question, callerIsStaff: true);
    }

    public async Task AnswerQuestion(int sessionId, long questionId, string answer)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        var (version, question) = await Guard(() => room.AnswerAsync(sessionId, questionId, answer, UserId, Context.ConnectionAborted));
        await AnnounceAsync(sessionId, version, question, callerIsStaff: true);
    }

    public async Task<PollView> OpenPoll(int sessionId, string question, IReadOnlyList<string> options, bool multiple)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        var (version, poll) = await Guard(() => room.OpenPollAsync(sessionId, question, options, multiple, Context.ConnectionAborted));
        await AnnounceAsync(sessionId, version, poll);
        return LiveRoomService.PollOf(poll, forStaff: true);
    }

    public async Task VotePoll(int sessionId, long pollId, IReadOnlyList<int> choices)
    {
        await RequireOpenAsync(sessionId, RoomRole.Trainee, traineesOnly: true);
        limits.Check(RoomLimit.PollVote, UserId, sessionId);
        var mask = await Guard(() => room.ValidatePollVoteAsync(sessionId, pollId, choices, Context.ConnectionAborted));
        await writer.WriteAsync(new RoomWrite.PollVote(sessionId, pollId, UserId, mask, Now), Context.ConnectionAborted);
    }

    public async Task RevealPoll(int sessionId, long pollId)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        var (version, poll) = await Guard(() => room.RevealPollAsync(sessionId, pollId, Context.ConnectionAborted));
        await AnnounceAsync(sessionId, version, poll);
    }

    public async Task ClosePoll(int sessionId, long pollId)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        var (version, poll) = await Guard(() => room.ClosePollAsync(sessionId, pollId, Context.ConnectionAborted));
        await AnnounceAsync(sessionId, version, poll);
    }

    public async Task<ChatView> SendChat(int sessionId, string text)
    {
        var role = await RequireOpenAsync(sessionId, RoomRole.Trainee);
        limits.Check(RoomLimit.Chat, UserId, sessionId);
        var (version, message) = await Guard(() => room.SendChatAsync(sessionId, UserId, text, Context.ConnectionAborted));
        var name = await room.NameOfAsync(UserId, Context.ConnectionAborted);
        await NotifyAsync(() => Clients.Group(RoomGroups.Staff(sessionId)).ChatReceived(sessionId, version, LiveRoomService.ChatOf(message, name, role.IsStaff(), forStaff: true)));
        await NotifyAsync(() => Clients.Group(RoomGroups.Trainees(sessionId)).ChatReceived(sessionId, version, LiveRoomService.ChatOf(message, name, role.IsStaff(), forStaff: false)));
        return LiveRoomService.ChatOf(message, name, role.IsStaff(), role.IsStaff());
    }

    public async Task DeleteChat(int sessionId, long messageId)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        var version = await Guard(() => room.DeleteChatAsync(sessionId, messageId, UserId, Context.ConnectionAborted));
        await NotifyAsync(() => Clients.Group(RoomGroups.All(sessionId)).ChatDeleted(sessionId, version, messageId));
    }

    public async Task MuteParticipant(int sessionId, string userId, bool muted)
    {
        await RequireOpenAsync(sessionId, RoomRole.Lecturer);
        await Guard(async () =>
        {
            await room.SetMutedAsync(sessionId, userId, muted, UserId, id => access.RoleOfAsync(sessionId, id, Context.ConnectionAborted), Context.ConnectionAborted);
            return true;
        });
        await NotifyAsync(() => Clients.User(userId).MutedChanged(sessionId, muted));
    }

    public async Task RaiseHand(int sessionId, bool raised)
    {
        await RequireOpenAsync(sessionId, RoomRole.Trainee);
        if (writer.RoomOf(Context.ConnectionId) is null)
            throw Refuse(new RoomException("not-joined", "Join the room first."));
        await room.RaiseHandAsync(Context.ConnectionId, raised, Context.ConnectionAborted);
        var me = (await room.ParticipantsAsync(sessionId, Context.ConnectionAborted)).FirstOrDefault(p => p.UserId == UserId)
            ?? new ParticipantView(UserId, await room.NameOfAsync(UserId, Context.ConnectionAborted), "trainee", raised, 1, Muted: false);
        await NotifyAsync(() => Clients.Group(RoomGroups.Staff(sessionId)).HandChanged(sessionId, me));
    }

    public async Task<IReadOnlyList<ParticipantView>> GetParticipants(int sessionId)
    {
        await RequireAsync(sessionId, RoomRole.Lecturer);
        return await room.ParticipantsAsync(sessionId, Context.ConnectionAborted);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (writer.Disconnected(Context.ConnectionId) is { } sessionId)
            writer.Post(new RoomWrite.Left(sessionId, Context.ConnectionId, Now));

        await base.OnDisconnectedAsync(exception);
    }

    private async Task LeaveRoomAsync(int sessionId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, RoomGroups.All(sessionId));
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, RoomGroups.Staff(sessionId));
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, RoomGroups.Trainees(sessionId));
        if (writer.Disconnected(Context.ConnectionId) is not null)
            writer.Post(new RoomWrite.Left(sessionId, Context.ConnectionId, Now));
    }

    private async Task<QuestionView> AnnounceAsync(int sessionId, long version, RoomQuestion question, bool callerIsStaff)
    {
        access.ForgetQuestion(question.Id);
        var author = await room.NameOfAsync(question.AuthorId, Context.ConnectionAborted);
        await NotifyAsync(() => Clients.Group(RoomGroups.Staff(sessionId)).QuestionChanged(sessionId, version, LiveRoomService.QuestionOf(question, author, forStaff: true, mine: false)));
        await NotifyAsync(() => Clients.Group(RoomGroups.Trainees(sessionId)).QuestionChanged(sessionId, version, LiveRoomService.QuestionOf(question, author, forStaff: false, mine: false)));
        return LiveRoomService.QuestionOf(question, author, callerIsStaff, question.AuthorId == UserId);
    }

    private async Task AnnounceAsync(int sessionId, long version, RoomPoll poll)
    {
        await NotifyAsync(() => Clients.Group(RoomGroups.Staff(sessionId)).PollChanged(sessionId, version, LiveRoomService.PollOf(poll, forStaff: true)));
        await NotifyAsync(() => Clients.Group(RoomGroups.Trainees(sessionId)).PollChanged(sessionId, version, LiveRoomService.PollOf(poll, forStaff: false)));
    }

    /// <summary>The caller's role, refused below <paramref name="least"/> (trainee &lt; lecturer &lt; coordinator &lt; admin).</summary>
    private async Task<RoomRole> RequireAsync(int sessionId, RoomRole least, bool traineesOnly = false)
    {
        var role = await access.RoleAsync(sessionId, Context.User!, Context.ConnectionAborted);
        if (role == RoomRole.None)
            throw Refuse(RoomException.NotFound("No such session, or you are not one of its participants."));
        if (role < least)
            throw Refuse(RoomException.Forbidden("Only the session's lecturers and coordinators may do this."));
        if (traineesOnly && role != RoomRole.Trainee)
            throw Refuse(RoomException.Forbidden("Only trainees ask, vote and upvote; moderators answer."));
        return role;
    }

    private async Task<RoomRole> RequireOpenAsync(int sessionId, RoomRole least, bool traineesOnly = false)
    {
        var role = await RequireAsync(sessionId, least, traineesOnly);
        if (await access.IsCancelledAsync(sessionId, Context.ConnectionAborted))
            throw Refuse(RoomException.Closed("This session was cancelled."));
        return role;
    }

    /// <summary>
    /// Sends an event after the change is committed. A failed send (the Redis backplane down) must not turn a
    /// stored change into an error the caller would retry, duplicating it: clients catch up through Sync.
    /// </summary>
    private async Task NotifyAsync(Func<Task> send)
    {
        try
        {
            await send();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotifyFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A room event could not be sent; clients will catch up through Sync")]
    private partial void LogNotifyFailed(Exception e);

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (RoomException e)
        {
            throw Refuse(e);
        }
    }

    private static async Task Guard(Func<Task> action) => await Guard(async () =>
    {
        await action();
        return true;
    });

    private static HubException Refuse(RoomException e) => new(e.Message);
}

/// <summary>The SignalR groups of a room: everyone, and each audience that sees its own view of an event.</summary>
public static class RoomGroups
{
    public static string All(int sessionId) => $"live:{sessionId}";

    public static string Staff(int sessionId) => $"live:{sessionId}:staff";

    public static string Trainees(int sessionId) => $"live:{sessionId}:trainees";
}
