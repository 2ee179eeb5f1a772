using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// N plain WebSocket clients of the bare fan-out server, measured exactly as the live room is: a "lecturer" socket
/// sends each slide change, the server sends it to all, and every client notes when it arrived.
/// </summary>
internal static class FanOutBaseline
{
    public static async Task<FanOutMeasurement> RunAsync(int clients, SlidePlan plan, CancellationToken ct)
    {
        await using var server = await ServerProcess.StartFanOutAsync(TimeSpan.FromMinutes(1), ct);
        await using var sampler = new ResourceSampler(server);
        var uri = new Uri($"ws://{server.BaseAddress.Authority}{FanOutServer.Path}");

        await using var lecturer = await Client.ConnectAsync(uri, plan.Total, ct);
        await WarmUpAsync(uri, lecturer, clients, ct);
        var before = await SettledMemory.ReadAsync(server, ct);

        // Half, a reading, then the other half: see FanOutMeasurement.MarginalBytesPerConnection.
        var half = clients / 2;
        var connectStart = Stopwatch.GetTimestamp();
        var (trainees, errors) = await ConnectAllAsync(uri, half, plan.Total, ct);
        var connectTime = Stopwatch.GetElapsedTime(connectStart);
        try
        {
            var middle = await SettledMemory.ReadAsync(server, ct);
            connectStart = Stopwatch.GetTimestamp();
            var (rest, moreErrors) = await ConnectAllAsync(uri, clients - half, plan.Total, ct);
            connectTime += Stopwatch.GetElapsedTime(connectStart);
            trainees.AddRange(rest);
            errors.AddRange(moreErrors);
            var after = await SettledMemory.ReadAsync(server, ct);
            var sentAt = new long[plan.Total];
            var start = Stopwatch.GetTimestamp();
            for (var change = 0; change < plan.Total; change++)
            {
                await Ticks.WaitUntilAsync(start + (change * Ticks.Of(plan.Interval)), ct);
                sentAt[change] = Stopwatch.GetTimestamp();
                await lecturer.SendAsync(Message(change), ct);
            }

            await Ticks.WaitForAsync(() => trainees.All(t => t.ReceivedAt[^1] != 0), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50), ct);
            var end = Stopwatch.GetTimestamp();
            return new FanOutMeasurement(
                clients, connectTime, errors.Count, [.. errors.Distinct().Take(5)], before, half, middle, after,
                DeliveryStats.From(sentAt, [.. trainees.Select(t => t.ReceivedAt)], plan.WarmUpChanges),
                sampler.Summarize(start, sentAt[plan.WarmUpChanges], end),
                trainees.Count(t => t.Dropped));
        }
        finally
        {
            await RoomLoad.DisposeAllAsync(trainees);
        }
    }

    /// <summary>The same frame the hub sends for a slide change, so that both servers move the same bytes.</summary>
    public static byte[] Message(int change) =>
        Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"SlideChanged\",\"arguments\":[1,{change},{change + 1}]}}\u001e");

    /// <summary>
    /// A first round of all N connections and some broadcasts, which then close: neither JIT, first-use allocations nor
    /// the high-water marks of pools count as connections (see RoomLoad's warm-up).
    /// </summary>
    private static async Task WarmUpAsync(Uri uri, Client lecturer, int clients, CancellationToken ct)
    {
        var (warm, _) = await ConnectAllAsync(uri, clients, 1, ct);
        for (var i = 0; i < 5; i++)
        {
            await lecturer.SendAsync(Message(0), ct);
            await Task.Delay(100, ct);
        }

        await RoomLoad.DisposeAllAsync(warm);
    }

    private static async Task<(List<Client> Clients, List<string> Errors)> ConnectAllAsync(Uri uri, int count, int changes, CancellationToken ct)
    {
        var clients = new Client?[count];
        var errors = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = RoomLoad.ConnectParallelism, CancellationToken = ct }, async (i, token) =>
        {
            try
            {
                clients[i] = await Client.ConnectAsync(uri, changes, token);
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
            {
                lock (errors)
                    errors.Add(e.Message);
            }
        });
        return ([.. clients.OfType<Client>()], errors);
    }

    private sealed class Client : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket;
        private readonly Task _receiving;

        private Client(ClientWebSocket socket, int changes)
        {
            _socket = socket;
            ReceivedAt = new long[changes];
            _receiving = ReceiveAsync();
        }

        public long[] ReceivedAt { get; }

        public bool Dropped { get; private set; }

        public static async Task<Client> ConnectAsync(Uri uri, int changes, CancellationToken ct)
        {
            var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(uri, ct);
                return new Client(socket, changes);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        public Task SendAsync(byte[] message, CancellationToken ct) =>
            _socket.SendAsync(message.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, ct).AsTask();

        public async ValueTask DisposeAsync() => await ClientSockets.CloseAsync(_socket, _receiving);

        private async Task ReceiveAsync()
        {
            var buffer = new byte[256];
            try
            {
                while (true)
                {
                    var received = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (received.MessageType == WebSocketMessageType.Close)
                        return;
                    var at = Stopwatch.GetTimestamp();
                    if (ChangeOf(buffer.AsSpan(0, received.Count)) is { } change && change < ReceivedAt.Length && ReceivedAt[change] == 0)
                        ReceivedAt[change] = at;
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                Dropped = _socket.State != WebSocketState.Closed && _socket.State != WebSocketState.CloseSent;
            }
        }

        /// <summary>The second argument of the frame, as a client would read the version.</summary>
        private static int? ChangeOf(ReadOnlySpan<byte> frame)
        {
            var arguments = frame.IndexOf("\"arguments\":["u8);
            if (arguments < 0)
                return null;
            var rest = frame[(arguments + "\"arguments\":["u8.Length)..];
            rest = rest[(rest.IndexOf((byte)',') + 1)..];
            return Utf8Parser.TryParse(rest, out int change, out _) ? change : null;
        }
    }
}
