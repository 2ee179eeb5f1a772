using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Cistrat.Learning.Core.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cistrat.Learning.Benchmarks;

/// <summary>The parts of the Join snapshot the benchmark reads (the JSON protocol ignores the rest).</summary>
internal sealed record SnapshotHead(long Version, string Role, int Slide, int Participants);

/// <summary>The parts of a QuestionView the benchmark reads.</summary>
internal sealed record QuestionHead(long Id, string Status, int Votes);

/// <summary>
/// One person's connection to the live room, as the contract in Features/Live/README.md describes it: WebSockets,
/// the sign-in cookie, JSON. It notes when each SlideChanged arrived and keeps the vote count of one question as
/// a client would show it: from the newest VotesChanged that carried it.
/// </summary>
internal sealed class RoomClient : IAsyncDisposable
{
    public const string HubPath = "/hubs/live";

    private readonly Lock _lock = new();
    private readonly List<(long Version, long At)> _slides = new(32);
    private long _watched = -1;
    private long _votesVersion = -1;
    private int _votes = -1;
    private int _voteEvents;
    private volatile bool _disposing;

    private RoomClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<int, long, int>("SlideChanged", (_, version, _) =>
        {
            var at = Stopwatch.GetTimestamp();
            lock (_lock)
                _slides.Add((version, at));
        });
        connection.On<int, long, VoteCount[], JsonElement>("VotesChanged", (_, version, counts, _) =>
        {
            lock (_lock)
            {
                _voteEvents++;
                if (version <= _votesVersion)
                    return;
                foreach (var count in counts)
                {
                    if (count.QuestionId != _watched)
                        continue;
                    _votes = count.Votes;
                    _votesVersion = version;
                }
            }
        });
        // Events the benchmark does not look at, bound cheaply, as any client must take them.
        connection.On<int, long, JsonElement>("QuestionChanged", (_, _, _) => { });
        connection.On<int, int>("PresenceChanged", (_, _) => { });
        connection.Closed += _ =>
        {
            if (!_disposing)
                Dropped = true;
            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }

    /// <summary>The connection closed without being asked to.</summary>
    public bool Dropped { get; private set; }

    public int Votes
    {
        get
        {
            lock (_lock)
                return _votes;
        }
    }

    public int VoteEvents
    {
        get
        {
            lock (_lock)
                return _voteEvents;
        }
    }

    public static async Task<(RoomClient Client, SnapshotHead Snapshot)> JoinAsync(Uri baseAddress, string cookie, int sessionId, CancellationToken ct)
    {
        var hub = new Uri(baseAddress, HubPath);
        var connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, o =>
            {
                o.SkipNegotiation = true;
                o.Cookies.Add(hub, new Cookie(Site.AuthCookie, cookie));
            })
            .Build();
        // Thousands of connections opening at once on two cores: the defaults (15 s, 30 s) measure the queue, not the room.
        connection.HandshakeTimeout = TimeSpan.FromMinutes(1);
        connection.ServerTimeout = TimeSpan.FromMinutes(2);
        var client = new RoomClient(connection);
        try
        {
            await connection.StartAsync(ct);
            var snapshot = await connection.InvokeAsync<SnapshotHead>("Join", sessionId, ct);
            return (client, snapshot);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Follows the vote count of this question from now on.</summary>
    public void Watch(long questionId)
    {
        lock (_lock)
        {
            _watched = questionId;
            _votes = -1;
            _votesVersion = -1;
            _voteEvents = 0;
        }
    }

    public void ForgetSlides()
    {
        lock (_lock)
            _slides.Clear();
    }

    public IReadOnlyList<(long Version, long At)> Slides()
    {
        lock (_lock)
            return [.. _slides];
    }

    public int SlideCount()
    {
        lock (_lock)
            return _slides.Count;
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        await Connection.DisposeAsync();
    }
}
