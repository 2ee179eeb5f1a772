using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>
/// An event as a client received it; <see cref="Version"/> is null for the unversioned ones, and
/// <see cref="Args"/> are all its arguments, as numbered in <c>ILiveClient</c>.
/// </summary>
public sealed record RoomEvent(string Name, int SessionId, long? Version, object?[] Args)
{
    public T Arg<T>(int index) => (T)Args[index]!;
}

/// <summary>
/// One connection to the room: every event it receives is kept, in order of arrival, and each hub method has a
/// typed wrapper that passes this room's session id.
/// </summary>
public sealed partial class RoomClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<RoomEvent> _events = new();

    internal RoomClient(RoomHarness room, RoomPerson person, HubConnection hub)
    {
        Room = room;
        Person = person;
        Hub = hub;
        hub.On<int, long, int>("SlideChanged", (s, v, slide) => Add("SlideChanged", s, v, slide));
        hub.On<int, long, string>("NotesChanged", (s, v, notes) => Add("NotesChanged", s, v, notes));
        hub.On<int, long, QuestionView>("QuestionChanged", (s, v, q) => Add("QuestionChanged", s, v, q));
        hub.On<int, long, List<VoteCount>, List<PollView>>("VotesChanged", (s, v, counts, polls) => Add("VotesChanged", s, v, counts, polls));
        hub.On<int, long, PollView>("PollChanged", (s, v, poll) => Add("PollChanged", s, v, poll));
        hub.On<int, long, ChatView>("ChatReceived", (s, v, message) => Add("ChatReceived", s, v, message));
        hub.On<int, long, long>("ChatDeleted", (s, v, id) => Add("ChatDeleted", s, v, id));
        hub.On<int, long, SessionView>("SessionChanged", (s, v, session) => Add("SessionChanged", s, v, session));
        hub.On<int, int>("PresenceChanged", (s, count) => Add("PresenceChanged", s, null, count));
        hub.On<int, ParticipantView>("HandChanged", (s, p) => Add("HandChanged", s, null, p));
        hub.On<int, bool>("MutedChanged", (s, muted) => Add("MutedChanged", s, null, muted));
    }

    public RoomHarness Room { get; }

    public RoomPerson Person { get; }

    public HubConnection Hub { get; }

    /// <summary>The snapshot of the last <see cref="JoinAsync"/>.</summary>
    public RoomSnapshot? Joined { get; private set; }

    /// <summary>Every event so far, in order of arrival.</summary>
    public IReadOnlyList<RoomEvent> Events => [.. _events];

    private int S => Room.SessionId;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public IReadOnlyList<RoomEvent> Of(string name) => [.. _events.Where(e => e.Name == name)];

    /// <summary>Waits for the first event named <paramref name="name"/> that matches.</summary>
    public async Task<RoomEvent> WaitForAsync(string name, Func<RoomEvent, bool>? match = null, TimeSpan? timeout = null)
    {
        RoomEvent? found = null;
        await Eventually.TrueAsync(
            () => (found = _events.FirstOrDefault(e => e.Name == name && (match?.Invoke(e) ?? true))) is not null,
            $"{Person.Name} received no matching {name}; received: {string.Join(", ", _events.Select(e => $"{e.Name}@{e.Version}"))}",
            timeout);
        return found!;
    }

    /// <summary>
    /// Proves that nothing more is on its way to this connection: messages on one connection arrive in order, so
    /// once a round trip made after the server sent its events has come back, those events have arrived.
    /// </summary>
    public async Task DrainAsync()
    {
        try
        {
            await SyncAsync(long.MaxValue);
        }
        catch (HubException)
        {
            // A refusal is an answer too, and comes back on the same connection after what was sent before it.
        }
    }

    public async Task<RoomSnapshot> JoinAsync() => Joined = await Hub.InvokeAsync<RoomSnapshot>("Join", S, Ct);

    public Task<RoomSnapshot?> SyncAsync(long version) => Hub.InvokeAsync<RoomSnapshot?>("Sync", S, version, Ct);

    public Task LeaveAsync() => Hub.InvokeAsync("Leave", S, Ct);

    public Task GoToSlideAsync(int slide) => Hub.InvokeAsync("GoToSlide", S, slide, Ct);

    public Task SetNotesAsync(string notes) => Hub.InvokeAsync("SetNotes", S, notes, Ct);

    public Task<QuestionView> AskAsync(string text, bool anonymous = false) => Hub.InvokeAsync<QuestionView>("Ask", S, text, anonymous, Ct);

    public Task<QuestionView> EditQuestionAsync(long questionId, string text) => Hub.InvokeAsync<QuestionView>("EditQuestion", S, questionId, text, Ct);

    public Task WithdrawQuestionAsync(long questionId) => Hub.InvokeAsync("WithdrawQuestion", S, questionId, Ct);

    public Task UpvoteAsync(long questionId) => Hub.InvokeAsync("Upvote", S, questionId, Ct);

    public Task ModerateQuestionAsync(long questionId, string action) => Hub.InvokeAsync("ModerateQuestion", S, questionId, action, Ct);

    public Task AnswerQuestionAsync(long questionId, string answer) => Hub.InvokeAsync("AnswerQuestion", S, questionId, answer, Ct);

    public Task<PollView> OpenPollAsync(string question, string[] options, bool multiple = false) =>
        Hub.InvokeAsync<PollView>("OpenPoll", S, question, options, multiple, Ct);

    public Task VotePollAsync(long pollId, params int[] choices) => Hub.InvokeAsync("VotePoll", S, pollId, choices, Ct);

    public Task RevealPollAsync(long pollId) => Hub.InvokeAsync("RevealPoll", S, pollId, Ct);

    public Task ClosePollAsync(long pollId) => Hub.InvokeAsync("ClosePoll", S, pollId, Ct);

    public Task<ChatView> SendChatAsync(string text) => Hub.InvokeAsync<ChatView>("SendChat", S, text, Ct);

    public Task DeleteChatAsync(long messageId) => Hub.InvokeAsync("DeleteChat", S, messageId, Ct);

    public Task MuteParticipantAsync(string userId, bool muted) => Hub.InvokeAsync("MuteParticipant", S, userId, muted, Ct);

    public Task RaiseHandAsync(bool raised) => Hub.InvokeAsync("RaiseHand", S, raised, Ct);

    public Task<List<ParticipantView>> GetParticipantsAsync() => Hub.InvokeAsync<List<ParticipantView>>("GetParticipants", S, Ct);

    /// <summary>Asserts that the call is refused with <paramref name="code"/> and returns the refusal's message.</summary>
    public static async Task<string> RefusedAsync(string code, Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var refusal = await Assert.ThrowsAsync<HubException>(call);
        // The client prefixes the server's message: "An unexpected error occurred invoking 'X' on the server. HubException: code: ..."
        var match = RefusalPattern().Match(refusal.Message);
        Assert.True(match.Success, $"Not a room refusal: {refusal.Message}");
        Assert.True(code == match.Groups["code"].Value, $"Expected {code}, got: {refusal.Message}");
        return match.Groups["message"].Value;
    }

    public async ValueTask DisposeAsync() => await Hub.DisposeAsync();

    private Task Add(string name, int sessionId, long? version, params object?[] args)
    {
        // Args are the event's arguments as in ILiveClient: session id, then version when versioned, then the rest.
        object?[] all = version is { } v ? [sessionId, v, .. args] : [sessionId, .. args];
        _events.Enqueue(new RoomEvent(name, sessionId, version, all));
        return Task.CompletedTask;
    }

    [GeneratedRegex(@"HubException: (?<code>[a-z-]+): (?<message>.*)$", RegexOptions.Singleline)]
    private static partial Regex RefusalPattern();
}

/// <summary>Waits for a condition by polling, instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public static Task TrueAsync(Func<bool> condition, string failure, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), failure, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string failure, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Still false after {(timeout ?? DefaultTimeout).TotalSeconds} s: {failure}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
