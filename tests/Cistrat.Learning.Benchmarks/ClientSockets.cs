using System.Net.WebSockets;

namespace Cistrat.Learning.Benchmarks;

/// <summary>What the benchmark's WebSocket clients (the room's and the bare fan-out's) do alike.</summary>
internal static class ClientSockets
{
    /// <summary>
    /// Closes the socket if it is still open, waits for its receive loop to see the close, and disposes it. Closing is
    /// not measured: a socket the server already dropped is disposed all the same.
    /// </summary>
    public static async Task CloseAsync(ClientWebSocket socket, Task receiving)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            await receiving;
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // Already closed by the other side.
        }

        socket.Dispose();
    }
}
