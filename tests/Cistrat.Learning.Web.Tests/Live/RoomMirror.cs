using System.Text.Json;
using Cistrat.Learning.Core.Live;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>
/// A client's copy of the room, kept the way the README tells clients to: start from a snapshot, apply the event
/// whose version is exactly one more, ignore older ones, and on a gap call <c>Sync</c>. Comparing it with a fresh
/// snapshot shows whether snapshots and events together let a client hold exactly the server's state.
/// </summary>
public sealed class RoomMirror(bool staff)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Dictionary<long, QuestionView> _questions = [];
    private readonly Dictionary<long, PollView> _polls = [];
    private readonly List<ChatView> _chat = [];
    private readonly HashSet<long> _mine = [];
    private readonly Dictionary<long, QuestionView> _own = [];
    private readonly HashSet<long> _myVotes = [];
    private readonly Dictionary<long, IReadOnlyList<int>> _myPollVotes = [];
    private int _applied;

    public long Version { get; private set; } = -1;

    public int Slide { get; private set; }

    public string Notes { get; private set; } = "";

    public SessionView? Session { get; private set; }

    /// <summary>An event arrived above version + 1: the client must call Sync.</summary>
    public bool NeedsSync { get; private set; }

    public int EventsApplied { get; private set; }

    public int Gaps { get; private set; }

    public void Apply(RoomSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Version < Version)
            return;
        Version = snapshot.Version;
        Slide = snapshot.Slide;
        Notes = snapshot.Notes;
        Session = snapshot.Session;
        _questions.Clear();
        foreach (var q in snapshot.Questions)
        {
            _questions[q.Id] = q;
            if (q.Mine)
            {
                _mine.Add(q.Id);
                _own[q.Id] = q;
            }
        }

        _polls.Clear();
        foreach (var p in snapshot.Polls)
            _polls[p.Id] = p;
        _chat.Clear();
        _chat.AddRange(snapshot.Chat);
        _myVotes.Clear();
        _myVotes.UnionWith(snapshot.MyVotes);
        _myPollVotes.Clear();
        foreach (var (poll, choices) in snapshot.MyPollVotes)
            _myPollVotes[poll] = choices;
        NeedsSync = false;
    }

    /// <summary>What the caller's own calls returned (a client keeps its own ids: events say <c>mine: false</c>).</summary>
    public void Asked(QuestionView question)
    {
        ArgumentNullException.ThrowIfNull(question);
        _mine.Add(question.Id);
        _own[question.Id] = question;
        if (_questions.TryGetValue(question.Id, out var known))
            _questions[question.Id] = known with { Mine = true, Text = known.Text ?? question.Text, Author = known.Author ?? question.Author };
    }

    public void Upvoted(long questionId) => _myVotes.Add(questionId);

    public void Voted(long pollId, IReadOnlyList<int> choices) => _myPollVotes.TryAdd(pollId, choices);

    /// <summary>Applies the events of <paramref name="client"/> not seen yet.</summary>
    public void CatchUp(RoomClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var events = client.Events;
        for (; _applied < events.Count; _applied++)
            Apply(events[_applied]);
    }

    /// <summary>Starts reading a new connection's events from its first.</summary>
    public void Reconnected() => _applied = 0;

    public void Apply(RoomEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Version is not { } version)
            return;
        if (version <= Version)
            return;
        if (version > Version + 1)
        {
            NeedsSync = true;
            Gaps++;
            return;
        }

        switch (e.Name)
        {
            case "SlideChanged":
                Slide = e.Arg<int>(2);
                break;
            case "NotesChanged":
                Notes = e.Arg<string>(2);
                break;
            case "QuestionChanged":
                Merge(e.Arg<QuestionView>(2));
                break;
            case "VotesChanged":
                foreach (var count in e.Arg<List<VoteCount>>(2))
                {
                    if (_questions.TryGetValue(count.QuestionId, out var q))
                        _questions[q.Id] = q with { Votes = count.Votes };
                }

                foreach (var poll in e.Arg<List<PollView>>(3))
                    _polls[poll.Id] = poll;
                break;
            case "PollChanged":
                var changed = e.Arg<PollView>(2);
                _polls[changed.Id] = changed;
                break;
            case "ChatReceived":
                var message = e.Arg<ChatView>(2);
                if (_chat.All(m => m.Id != message.Id))
                    _chat.Add(message);
                if (_chat.Count > LiveLimits.ChatInSnapshot)
                    _chat.RemoveAt(0);
                break;
            case "ChatDeleted":
                _chat.RemoveAll(m => m.Id == e.Arg<long>(2));
                break;
            case "SessionChanged":
                Session = e.Arg<SessionView>(2);
                break;
            default:
                throw new InvalidOperationException($"Unknown versioned event {e.Name}");
        }

        Version = version;
        EventsApplied++;
    }

    /// <summary>The state a person sees, as JSON, to compare with a snapshot's.</summary>
    public string State() => StateOf(
        Version, Slide, Notes,
        RoomOrder(_questions.Values), [.. _polls.Values.OrderBy(p => p.Id)], _chat,
        _myVotes, _myPollVotes);

    public static string StateOf(RoomSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return StateOf(snapshot.Version, snapshot.Slide, snapshot.Notes, snapshot.Questions, snapshot.Polls, snapshot.Chat,
            snapshot.MyVotes, snapshot.MyPollVotes);
    }

    private static string StateOf(
        long version, int slide, string notes, IEnumerable<QuestionView> questions, IEnumerable<PollView> polls, IEnumerable<ChatView> chat,
        IEnumerable<long> myVotes, IEnumerable<KeyValuePair<long, IReadOnlyList<int>>> myPollVotes) =>
        JsonSerializer.Serialize(new
        {
            version, slide, notes, questions, polls, chat,
            myVotes = myVotes.Order(),
            myPollVotes = myPollVotes.OrderBy(p => p.Key).Select(p => new { poll = p.Key, choices = p.Value }),
        }, Json);

    private static List<QuestionView> RoomOrder(IEnumerable<QuestionView> questions) =>
        [.. questions.OrderByDescending(q => q.Pinned).ThenByDescending(q => q.Votes).ThenBy(q => q.AskedAt).ThenBy(q => q.Id)];

    private void Merge(QuestionView q)
    {
        var mine = _mine.Contains(q.Id);
        var hidden = q.Status is "withdrawn" || (!staff && (q.Status is "dismissed" || (q.Status is "pending" && !mine)));
        if (hidden)
        {
            _questions.Remove(q.Id);
            return;
        }

        // Events carry the trainees' view; what the author already knew of their own question stays.
        if (mine && (_questions.TryGetValue(q.Id, out var known) || _own.TryGetValue(q.Id, out known)))
            q = q with { Text = q.Text ?? known.Text, Author = q.Author ?? known.Author };
        _questions[q.Id] = q with { Mine = mine };
    }
}
