using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace Cistrat.Learning.Benchmarks;

/// <summary>The parts of the Join snapshot the benchmark reads (the rest of it is parsed and left).</summary>
internal sealed record SnapshotHead(long Version, string Role, int Slide, int Participants);

/// <summary>The parts of a QuestionView the benchmark reads.</summary>
internal sealed record QuestionHead(long Id, string Status, int Votes);

/// <summary>
/// One person's connection to the live room, speaking the hub's wire protocol as Features/Live/README.md documents it
/// for integrators who write their own clients: a WebSocket with the sign-in cookie, the JSON handshake, records ended
/// by 0x1E, invocations answered by completions, a ping every 15 s. Every record received is read whole. It notes
/// when each SlideChanged arrived and keeps the vote count of one question as a client would show it: from the newest
/// VotesChanged that carried it.
/// </summary>
/// <remarks>
/// Not the SignalR .NET client (the hub tests use that one): its receive path (a pipe, a dispatch to typed handlers
/// per message) cost the benchmark's process 4-5 times the CPU per delivery of the bare fan-out's plain
/// <see cref="ClientWebSocket"/>, on the two cores the server needs. With the same socket type on both sides, the
/// clients' share of the machine is alike in both columns, and the ratio between them is the server's.
/// </remarks>
internal sealed class RoomClient : IAsyncDisposable
{
    public const string HubPath = "/hubs/live";
    private const byte RecordSeparator = 0x1e;
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);
    // Thousands of connections opening at once on two cores: a short handshake timeout would measure the queue.
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromMinutes(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly byte[] Handshake = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();
    private static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _calls = new();
    private readonly TaskCompletionSource _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Timer _pinging;
    private readonly Lock _lock = new();
    private readonly List<(long Version, long At)> _slides = new(32);
    private Task _receiving = Task.CompletedTask;
    private int _lastCall;
    private long _watched = -1;
    private long _votesVersion = -1;
    private int _votes = -1;
    private int _voteEvents;
    private volatile bool _disposing;

    private RoomClient(ClientWebSocket socket)
    {
        _socket = socket;
        _pinging = new Timer(_ => _ = PingAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

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
        var hub = new UriBuilder(new Uri(baseAddress, HubPath)) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws" }.Uri;
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", $"{Site.AuthCookie}={cookie}");
        var client = new RoomClient(socket);
        try
        {
            await socket.ConnectAsync(hub, ct);
            client._receiving = client.ReceiveAsync();
            await client.SendAsync(Handshake, ct);
            await client._handshake.Task.WaitAsync(HandshakeTimeout, ct);
            client._pinging.Change(PingInterval, PingInterval);
            var snapshot = await client.InvokeAsync<SnapshotHead>("Join", [sessionId], ct);
            return (client, snapshot);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Calls a hub method and waits for its completion; an error completion throws <see cref="HubException"/>.</summary>
    public async Task<JsonElement> InvokeAsync(string target, object?[] arguments, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _lastCall).ToString(CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[id] = answer;
        try
        {
            var message = JsonSerializer.SerializeToUtf8Bytes(new Invocation(1, id, target, arguments), Json);
            await SendAsync([.. message, RecordSeparator], ct);
            return await answer.Task.WaitAsync(ct);
        }
        finally
        {
            _calls.TryRemove(id, out _);
        }
    }

    public async Task<T> InvokeAsync<T>(string target, object?[] arguments, CancellationToken ct) =>
        (await InvokeAsync(target, arguments, ct)).Deserialize<T>(Json)
        ?? throw new BenchmarkException($"{target} answered with no result.");

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
        await _pinging.DisposeAsync();
        await ClientSockets.CloseAsync(_socket, _receiving);
        _sending.Dispose();
    }

    private async Task SendAsync(byte[] message, CancellationToken ct)
    {
        // One send at a time on a WebSocket: calls and pings take turns.
        await _sending.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(message.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await SendAsync(Ping, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // A closed connection is noticed by the receive loop.
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2);
                var received = await _socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                    return;
                var at = Stopwatch.GetTimestamp();
                filled += received.Count;
                // A frame may end in the middle of a record, or hold several.
                var start = 0;
                int length;
                while ((length = buffer.AsSpan(start, filled - start).IndexOf(RecordSeparator)) >= 0)
                {
                    Handle(buffer.AsSpan(start, length), at);
                    start += length + 1;
                }

                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or JsonException)
        {
            // Dropped, unless it was closed on purpose (below).
        }
        finally
        {
            if (!_disposing)
                Dropped = true;
            var closed = new WebSocketException("The connection closed.");
            _handshake.TrySetException(closed);
            foreach (var call in _calls.Values)
                call.TrySetException(closed);
        }
    }

    private void Handle(ReadOnlySpan<byte> record, long at)
    {
        if (!_handshake.Task.IsCompleted)
        {
            HandleHandshake(record);
            return;
        }

        // One pass over the whole record (Skip reads and checks what it passes over), noting where the parts are: the
        // protocol does not fix the order of the properties.
        var reader = new Utf8JsonReader(record);
        reader.Read();
        int type = 0;
        var target = Target.Other;
        long arguments = -1;
        var completion = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                target = reader.ValueTextEquals("SlideChanged"u8) ? Target.SlideChanged
                    : reader.ValueTextEquals("VotesChanged"u8) ? Target.VotesChanged
                    : Target.Other;
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                arguments = reader.TokenStartIndex;
                reader.Skip();
            }
            else
            {
                completion |= reader.ValueTextEquals("invocationId"u8);
                reader.Read();
                reader.Skip();
            }
        }

        if (type == 1 && arguments >= 0 && target != Target.Other)
            Invoked(target, record[(int)arguments..], at);
        else if (type == 3 && completion)
            Completed(record);
        else if (type == 7)
            Dropped = !_disposing;
    }

    private void HandleHandshake(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        using var answer = JsonDocument.ParseValue(ref reader);
        if (answer.RootElement.TryGetProperty("error", out var refused))
            _handshake.TrySetException(new HubException($"Handshake refused: {refused.GetString()}"));
        else
            _handshake.TrySetResult();
    }

    private void Completed(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        using var message = JsonDocument.ParseValue(ref reader);
        var root = message.RootElement;
        if (root.GetProperty("invocationId").GetString() is not { } id || !_calls.TryGetValue(id, out var call))
            return;
        if (root.TryGetProperty("error", out var error))
            call.TrySetException(new HubException(error.GetString()));
        else
            call.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
    }

    /// <summary>Reads the event's arguments array: [sessionId, version, ...].</summary>
    private void Invoked(Target target, ReadOnlySpan<byte> arguments, long at)
    {
        var reader = new Utf8JsonReader(arguments);
        reader.Read(); // [
        reader.Read(); // sessionId
        reader.Read();
        var version = reader.GetInt64();
        if (target == Target.SlideChanged)
        {
            lock (_lock)
                _slides.Add((version, at));
            return;
        }

        reader.Read(); // the counts: [{ "questionId": q, "votes": n }, ...]
        int? votes = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            long question = -1;
            var count = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isQuestion = reader.ValueTextEquals("questionId"u8);
                var isVotes = reader.ValueTextEquals("votes"u8);
                reader.Read();
                if (isQuestion)
                    question = reader.GetInt64();
                else if (isVotes)
                    count = reader.GetInt32();
                else
                    reader.Skip();
            }

            if (question == Volatile.Read(ref _watched))
                votes = count;
        }

        lock (_lock)
        {
            _voteEvents++;
            if (version <= _votesVersion || votes is not { } shown)
                return;
            _votes = shown;
            _votesVersion = version;
        }
    }

    private enum Target
    {
        Other,
        SlideChanged,
        VotesChanged,
    }

    private sealed record Invocation(int Type, string InvocationId, string Target, object?[] Arguments);
}
