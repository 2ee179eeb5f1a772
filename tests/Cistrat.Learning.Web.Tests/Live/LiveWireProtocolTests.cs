using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Cistrat.Learning.Web.Tests.Infrastructure;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>
/// The room's README tells integrators without a SignalR library what to send and what comes back: a WebSocket opened
/// on the hub's URL without negotiating, the JSON handshake, records ended by 0x1E, calls answered by completions,
/// events as invocations without an id, pings. These tests speak exactly that, byte by byte.
/// </summary>
public sealed class LiveWireProtocolTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    private const char RecordSeparator = '\u001e';

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task AClientWithoutALibrary_JoinsWithTheHandshake_AndReceivesEventsAsRecords()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var lecturer = await room.JoinAsync(room.Lecturer);
        var trainee = await room.TraineeAsync("Wire");
        using var wire = await OpenAsync(room, trainee);

        await HandshakeAsync(wire);

        await SendAsync(wire, $$"""{"type":1,"invocationId":"7","target":"Join","arguments":[{{room.SessionId}}]}""");
        using var joined = await NextAsync(wire, m => m.GetProperty("type").GetInt32() == 3);
        Assert.Equal("7", joined.RootElement.GetProperty("invocationId").GetString());
        var snapshot = joined.RootElement.GetProperty("result");
        Assert.Equal("trainee", snapshot.GetProperty("role").GetString());
        var version = snapshot.GetProperty("version").GetInt64();

        // A ping keeps a quiet connection open; the server answers nothing to it.
        await SendAsync(wire, """{"type":6}""");
        await lecturer.GoToSlideAsync(3);
        // Other events (PresenceChanged after the join) may come first.
        using var slide = await NextAsync(wire, m => m.TryGetProperty("target", out var target) && target.GetString() == "SlideChanged");
        Assert.Equal(1, slide.RootElement.GetProperty("type").GetInt32());
        Assert.False(slide.RootElement.TryGetProperty("invocationId", out _));
        var arguments = slide.RootElement.GetProperty("arguments");
        Assert.Equal(room.SessionId, arguments[0].GetInt32());
        Assert.Equal(version + 1, arguments[1].GetInt64());
        Assert.Equal(3, arguments[2].GetInt32());
    }

    [Fact]
    public async Task ARefusedCall_IsAnErrorCompletion_CarryingTheRoomsCode()
    {
        await using var room = await RoomHarness.CreateAsync(app);
        var trainee = await room.TraineeAsync("Wire");
        using var wire = await OpenAsync(room, trainee);
        await HandshakeAsync(wire);

        await SendAsync(wire, $$"""{"type":1,"invocationId":"1","target":"GoToSlide","arguments":[{{room.SessionId}},2]}""");
        using var refused = await NextAsync(wire, m => m.GetProperty("type").GetInt32() == 3);

        Assert.Equal("1", refused.RootElement.GetProperty("invocationId").GetString());
        // As the README says: SignalR's prefix, then the room's code and message.
        Assert.Matches(@"^An unexpected error occurred invoking 'GoToSlide' on the server\. HubException: forbidden: \S", refused.RootElement.GetProperty("error").GetString());
        Assert.False(refused.RootElement.TryGetProperty("result", out _));
    }

    private static async Task<Wire> OpenAsync(RoomHarness room, RoomPerson person)
    {
        var client = room.App.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers.Cookie = person.Cookies.GetCookieHeader(RoomHarness.BaseUri);
        return new Wire(await client.ConnectAsync(new Uri("ws://localhost/hubs/live"), Ct));
    }

    /// <summary>The JSON protocol's handshake; the server's answer is an empty object.</summary>
    private static async Task HandshakeAsync(Wire wire)
    {
        await SendAsync(wire, """{"protocol":"json","version":1}""");
        Assert.Equal("{}", await ReceiveAsync(wire));
    }

    private static Task SendAsync(Wire wire, string record) =>
        wire.Socket.SendAsync(Encoding.UTF8.GetBytes(record + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, Ct);

    /// <summary>The next record, without its separator: a message may hold several records, or part of one.</summary>
    private static async Task<string> ReceiveAsync(Wire wire)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var text = wire.Received.ToString();
            var end = text.IndexOf(RecordSeparator, StringComparison.Ordinal);
            if (end >= 0)
            {
                wire.Received.Remove(0, end + 1);
                return text[..end];
            }

            var received = await wire.Socket.ReceiveAsync(buffer, timeout.Token);
            Assert.NotEqual(WebSocketMessageType.Close, received.MessageType);
            wire.Received.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
    }

    /// <summary>Reads records until one matches (pings and other events in between are passed over).</summary>
    private static async Task<JsonDocument> NextAsync(Wire wire, Func<JsonElement, bool> match)
    {
        while (true)
        {
            var message = JsonDocument.Parse(await ReceiveAsync(wire));
            if (match(message.RootElement))
                return message;
            message.Dispose();
        }
    }

    private sealed class Wire(WebSocket socket) : IDisposable
    {
        public WebSocket Socket { get; } = socket;

        /// <summary>Text received and not yet read as records (the test's messages are ASCII and JSON-escaped).</summary>
        public StringBuilder Received { get; } = new();

        public void Dispose() => Socket.Dispose();
    }
}
