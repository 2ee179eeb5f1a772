using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cistrat.Learning.Web.Tests.Live.Scaleout;

/// <summary>
/// A room client that keeps the rules of the hub's contract (Features/Live/README.md) and nothing more: it applies
/// an event whose version is its own + 1, ignores one that is not above its own, calls <c>Sync</c> on a gap and
/// on a timer (15 s in the contract; tests choose), and takes a snapshot that is newer than what it holds.
/// It models slide, notes and questions; other versioned events only move its version on.
/// </summary>
public sealed class RoomClient : IAsyncDisposable
{
    public static readonly TimeSpan ContractSyncInterval = TimeSpan.FromSeconds(15);

    private readonly HubConnection _connection;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _syncing = new(1, 1);
    private readonly ConcurrentQueue<RoomEvent> _events = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly Dictionary<long, QuestionView> _questions = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _periodic = Task.CompletedTask;
    private long _version;
    private int _slide;
    private string _notes = "";
    private int _gaps;
    private int _syncCalls;
    private int _snapshotsTaken;

    private RoomClient(string name, string node, int sessionId, Uri hub, CookieContainer cookies, Func<X509Certificate?, bool> trusts)
    {
        Name = name;
        Node = node;
        SessionId = sessionId;
        _connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, o =>
            {
                o.Cookies = cookies;
                o.HttpMessageHandlerFactory = handler =>
                {
                    if (handler is HttpClientHandler http)
                        http.ServerCertificateCustomValidationCallback = (_, certificate, _, _) => trusts(certificate);
                    return handler;
                };
                o.WebSocketConfiguration = ws => ws.RemoteCertificateValidationCallback = (_, certificate, _, _) => trusts(certificate);
            })
            .Build();

        _connection.On<int, long, int>("SlideChanged", (s, v, slide) => Apply("SlideChanged", s, v, slide, () => _slide = slide));
        _connection.On<int, long, string>("NotesChanged", (s, v, notes) => Apply("NotesChanged", s, v, notes, () => _notes = notes));
        _connection.On<int, long, QuestionView>("QuestionChanged", (s, v, q) => Apply("QuestionChanged", s, v, q, () => _questions[q.Id] = q));
        _connection.On<int, long, IReadOnlyList<VoteCount>, IReadOnlyList<PollView>>("VotesChanged", (s, v, counts, polls) =>
            Apply("VotesChanged", s, v, counts, () =>
            {
                foreach (var count in counts)
                {
                    if (_questions.TryGetValue(count.QuestionId, out var q))
                        _questions[count.QuestionId] = q with { Votes = count.Votes };
                    else
                        _errors.Enqueue($"VotesChanged v{v} counts question {count.QuestionId}, which this client does not know");
                }
            }));
        _connection.On<int, long, PollView>("PollChanged", (s, v, poll) => Apply("PollChanged", s, v, poll, () => { }));
        _connection.On<int, long, ChatView>("ChatReceived", (s, v, message) => Apply("ChatReceived", s, v, message, () => { }));
        _connection.On<int, long, long>("ChatDeleted", (s, v, id) => Apply("ChatDeleted", s, v, id, () => { }));
        _connection.On<int, long, SessionView>("SessionChanged", (s, v, session) => Apply("SessionChanged", s, v, session, () => { }));
        _connection.On<int, int>("PresenceChanged", (_, _) => { });
        _connection.Closed += e =>
        {
            if (!_stop.IsCancellationRequested)
                _errors.Enqueue($"+{NodeLog.Now.TotalSeconds:0.000}s connection closed: {e?.Message ?? "no error"}");
            return Task.CompletedTask;
        };
    }

    public string Name { get; }

    /// <summary>The node this client is connected to.</summary>
    public string Node { get; }

    public int SessionId { get; }

    /// <summary>Every versioned event received, applied or not, in order of arrival.</summary>
    public IReadOnlyList<RoomEvent> Events => [.. _events];

    /// <summary>What went wrong on this client's side: failed background syncs, a closed connection, unknown ids.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    public int Gaps => Volatile.Read(ref _gaps);

    public int SyncCalls => Volatile.Read(ref _syncCalls);

    /// <summary>Snapshots taken, the one from <c>Join</c> included.</summary>
    public int SnapshotsTaken => Volatile.Read(ref _snapshotsTaken);

    /// <summary>What this client shows now.</summary>
    public RoomState State
    {
        get
        {
            lock (_gate)
            {
                return new RoomState(_version, _slide, _notes,
                    [.. _questions.Values.Where(q => q.Status != "withdrawn").OrderBy(q => q.Id).Select(q => new QuestionState(q.Id, q.Text, q.Status, q.Votes))]);
            }
        }
    }

    /// <summary>Connects over WebSockets with the sign-in cookie, joins the room, and starts the periodic Sync.</summary>
    public static async Task<RoomClient> ConnectAsync(
        string name, ScaleoutNode node, CookieContainer cookies, Func<X509Certificate?, bool> trusts, int sessionId, TimeSpan syncEvery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(node);
        var client = new RoomClient(name, node.Name, sessionId, node.Hub, cookies, trusts);
        try
        {
            await client._connection.StartAsync(ct);
            client.Take(await client._connection.InvokeAsync<RoomSnapshot>("Join", sessionId, ct), fromJoin: true);
            client._periodic = client.SyncPeriodicallyAsync(syncEvery);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public Task<T> InvokeAsync<T>(string method, object?[] args, CancellationToken ct) => _connection.InvokeCoreAsync<T>(method, args, ct);

    public Task InvokeAsync(string method, object?[] args, CancellationToken ct) => _connection.InvokeCoreAsync(method, args, ct);

    /// <summary>Calls <c>Sync</c> with the version held and takes the snapshot it returns, if any.</summary>
    public async Task SyncAsync(CancellationToken ct)
    {
        await _syncing.WaitAsync(ct);
        try
        {
            long version;
            lock (_gate)
                version = _version;
            Interlocked.Increment(ref _syncCalls);
            if (await _connection.InvokeAsync<RoomSnapshot?>("Sync", SessionId, version, ct) is { } snapshot)
                Take(snapshot, fromJoin: false);
        }
        finally
        {
            _syncing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _periodic;
        }
        catch (OperationCanceledException)
        {
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
        _syncing.Dispose();
    }

    private void Apply(string name, int sessionId, long version, object? payload, Action apply)
    {
        if (sessionId != SessionId)
            return;
        _events.Enqueue(new RoomEvent(name, version, payload, NodeLog.Now));
        lock (_gate)
        {
            if (version <= _version)
                return;
            if (version == _version + 1)
            {
                apply();
                _version = version;
                return;
            }

            _gaps++;
        }

        _ = SyncInBackgroundAsync($"after a gap at v{version}");
    }

    private void Take(RoomSnapshot snapshot, bool fromJoin)
    {
        lock (_gate)
        {
            if (!fromJoin && snapshot.Version <= _version)
                return;
            _version = snapshot.Version;
            _slide = snapshot.Slide;
            _notes = snapshot.Notes;
            _questions.Clear();
            foreach (var q in snapshot.Questions)
                _questions[q.Id] = q;
            _snapshotsTaken++;
        }
    }

    private async Task SyncInBackgroundAsync(string why)
    {
        try
        {
            await SyncAsync(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is Microsoft.AspNetCore.SignalR.HubException or InvalidOperationException or IOException or TimeoutException)
        {
            _errors.Enqueue($"+{NodeLog.Now.TotalSeconds:0.000}s Sync {why} failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task SyncPeriodicallyAsync(TimeSpan every)
    {
        if (every == Timeout.InfiniteTimeSpan)
            return;
        using var timer = new PeriodicTimer(every);
        while (await timer.WaitForNextTickAsync(_stop.Token))
            await SyncInBackgroundAsync("on the timer");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}@{Node}");
}

public sealed record RoomEvent(string Name, long Version, object? Payload, TimeSpan At);

/// <summary>A room as a client shows it or as the database holds it, comparable as a whole.</summary>
public sealed record RoomState(long Version, int Slide, string Notes, IReadOnlyList<QuestionState> Questions)
{
    public bool Matches(RoomState other) =>
        other is not null && Version == other.Version && Slide == other.Slide && Notes == other.Notes && Questions.SequenceEqual(other.Questions);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"v{Version} slide {Slide} notes \"{Notes}\" questions [{string.Join("; ", Questions)}]");
}

public sealed record QuestionState(long Id, string? Text, string Status, int Votes)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"#{Id} \"{Text}\" {Status} {Votes} votes");
}
