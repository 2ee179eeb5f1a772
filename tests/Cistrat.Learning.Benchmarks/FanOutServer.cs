using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// The live room's baseline: the least a server can do to fan a message out over WebSockets, on the same Kestrel,
/// runtime and garbage collector as the app. Every socket that sends a message has it sent, as it came, to every
/// open socket; nothing is authenticated, stored or parsed. It runs in a process of its own
/// (<see cref="ServerProcess.StartFanOutAsync"/>), started as this program with <see cref="Switch"/>.
/// </summary>
internal static class FanOutServer
{
    public const string Switch = "--fan-out-server";
    public const string Path = "/ws";

    /// <summary>Enough for the lecturer's messages; what a trainee's socket holds for receiving is the point of the baseline.</summary>
    private const int ReceiveBufferBytes = 256;

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var app = builder.Build();
        var sockets = new ConcurrentDictionary<long, WebSocket>();
        var nextId = 0L;
        using var broadcasting = new SemaphoreSlim(1);

        app.UseWebSockets();
        app.MapGet("/healthz/live", () => "Healthy");
        app.Map(Path, async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var id = Interlocked.Increment(ref nextId);
            sockets[id] = socket;
            var buffer = new byte[ReceiveBufferBytes];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                        break;
                    var message = buffer.AsMemory(0, received.Count).ToArray();
                    // One broadcast at a time: a WebSocket takes one send at a time.
                    await broadcasting.WaitAsync(context.RequestAborted);
                    try
                    {
                        await Task.WhenAll(sockets.Values.Select(s => SendAsync(s, message)));
                    }
                    finally
                    {
                        broadcasting.Release();
                    }
                }

                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                // The client went away; its socket leaves the set below.
            }
            finally
            {
                sockets.TryRemove(id, out _);
            }
        });

        await app.RunAsync();
        return 0;
    }

    private static async Task SendAsync(WebSocket socket, ReadOnlyMemory<byte> message)
    {
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            // A socket closing during the broadcast misses it, as a disconnected trainee would.
        }
    }
}
