using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// Makes another .NET process run a full, blocking garbage collection, through the runtime's diagnostics port: an
/// EventPipe session that enables the runtime provider's GCHeapCollect keyword, which is what dotnet-gcdump does.
/// Memory per connection is a difference of two resident sizes; without a collection before each reading, the
/// garbage the server happened to be carrying (up to a whole gen0 budget, tens of MB) would count as connections.
/// </summary>
internal static class RemoteGc
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const ulong GcHeapCollectKeyword = 0x800000;
    private const uint InformationalLevel = 4;
    private const byte EventPipeCommandSet = 0x02;
    private const byte StopTracing = 0x01;
    private const byte CollectTracing2 = 0x03;
    private const byte ServerCommandSet = 0xFF;
    private const byte ServerOk = 0x00;
    private const int HeaderSize = 20;

    /// <summary>"DOTNET_IPC_V1" and its terminating zero.</summary>
    private static readonly byte[] Magic = [.. "DOTNET_IPC_V1"u8, 0];

    /// <summary>True once the collection ran; false when the process has no diagnostics port (DOTNET_EnableDiagnostics=0).</summary>
    public static async Task<bool> CollectAsync(int processId, CancellationToken ct)
    {
        if (PortOf(processId) is not { } port)
            return false;

        // The runtime enables the provider, and so runs the collection, before it answers with the session id.
        using var session = await ConnectAsync(port, ct);
        var payload = new List<byte>();
        AddUInt32(payload, 16); // circular buffer, MB
        AddUInt32(payload, 1); // nettrace format
        payload.Add(0); // no rundown: it would make the server write megabytes of method and module events
        AddUInt32(payload, 1); // one provider
        AddUInt64(payload, GcHeapCollectKeyword);
        AddUInt32(payload, InformationalLevel);
        AddString(payload, RuntimeProvider);
        AddUInt32(payload, 0); // no filter data
        await SendAsync(session, CollectTracing2, [.. payload], ct);
        var sessionId = BinaryPrimitives.ReadUInt64LittleEndian(await ReadAnswerAsync(session, 8, ct));

        // The session streams a trace nobody needs: drain it until the runtime closes it after the stop below.
        var drain = DrainAsync(session, ct);
        using (var stop = await ConnectAsync(port, ct))
        {
            var id = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(id, sessionId);
            await SendAsync(stop, StopTracing, id, ct);
            await ReadAnswerAsync(stop, 8, ct);
        }

        await drain.WaitAsync(TimeSpan.FromSeconds(10), ct);
        return true;
    }

    private static string? PortOf(int processId) =>
        Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{processId}-*-socket").FirstOrDefault();

    private static async Task<Socket> ConnectAsync(string port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(port), ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task SendAsync(Socket socket, byte command, byte[] payload, CancellationToken ct)
    {
        var message = new byte[HeaderSize + payload.Length];
        Magic.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(14), (ushort)message.Length);
        message[16] = EventPipeCommandSet;
        message[17] = command;
        payload.CopyTo(message, HeaderSize);
        await socket.SendAsync(message, SocketFlags.None, ct);
    }

    /// <summary>Reads the answer's header and the first <paramref name="length"/> bytes of its payload.</summary>
    private static async Task<byte[]> ReadAnswerAsync(Socket socket, int length, CancellationToken ct)
    {
        var header = await ReadExactlyAsync(socket, HeaderSize, ct);
        if (header[16] != ServerCommandSet || header[17] != ServerOk)
        {
            var error = await ReadExactlyAsync(socket, 4, ct);
            throw new BenchmarkException($"The server's diagnostics port refused the request (HRESULT 0x{BinaryPrimitives.ReadUInt32LittleEndian(error):X8}).");
        }

        return await ReadExactlyAsync(socket, length, ct);
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int length, CancellationToken ct)
    {
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, ct);
            if (n == 0)
                throw new BenchmarkException("The server's diagnostics port closed the connection before answering.");
            read += n;
        }

        return buffer;
    }

    private static async Task DrainAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (await socket.ReceiveAsync(buffer, SocketFlags.None, ct) > 0)
        {
        }
    }

    private static void AddUInt32(List<byte> bytes, uint value)
    {
        Span<byte> span = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        bytes.AddRange(span);
    }

    private static void AddUInt64(List<byte> bytes, ulong value)
    {
        Span<byte> span = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(span, value);
        bytes.AddRange(span);
    }

    /// <summary>Length in UTF-16 code units with the terminating zero, then the UTF-16LE text and the zero.</summary>
    private static void AddString(List<byte> bytes, string value)
    {
        AddUInt32(bytes, (uint)value.Length + 1);
        bytes.AddRange(Encoding.Unicode.GetBytes(value + "\0"));
    }
}
