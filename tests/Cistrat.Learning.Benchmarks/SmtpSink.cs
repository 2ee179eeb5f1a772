using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// One message the sink accepted: its Message-ID (without angle brackets), the SMTP connection it came over, when its
/// MAIL command arrived and when the message was stored (<see cref="Stopwatch"/> ticks), and its size.
/// </summary>
internal readonly record struct ReceivedMail(string? MessageId, Guid Session, long MailCommandAt, long At, int Bytes);

/// <summary>
/// A real SMTP server (the SmtpServer package) on a loopback port of its own, in the benchmark's process, that
/// accepts every message and keeps only a <see cref="ReceivedMail"/> of it, and counts connections: what the app's
/// dispatcher talks to in the mail section.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private const string MailCommandAtProperty = "bench:mail-command-at";

    private readonly SmtpServer.SmtpServer _server;
    private readonly Store _store;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _sessions;
    private int _faulted;

    private SmtpSink(int port)
    {
        Port = port;
        _store = new Store();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("sink.bench.local")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).IsSecure(false))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, e) =>
        {
            Interlocked.Increment(ref _sessions);
            e.Context.CommandExecuting += (_, c) =>
            {
                if (c.Command is MailCommand)
                    c.Context.Properties[MailCommandAtProperty] = Stopwatch.GetTimestamp();
            };
        };
        _server.SessionFaulted += (_, _) => Interlocked.Increment(ref _faulted);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>SMTP connections opened so far (the dispatcher opens one per batch).</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Sessions that ended in an error on the server's side.</summary>
    public int FaultedSessions => Volatile.Read(ref _faulted);

    public int Count => _store.Count;

    /// <summary>Every message so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedMail> Received => [.. _store.Messages];

    public static async Task<SmtpSink> StartAsync(CancellationToken ct)
    {
        var sink = new SmtpSink(FreeLoopbackPort());
        try
        {
            await sink.WaitUntilListeningAsync(ct);
            return sink;
        }
        catch
        {
            await sink.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }

        _stop.Dispose();
    }

    /// <summary>The listener starts inside StartAsync's task: connect until it accepts (the probe's session is counted too).</summary>
    private async Task WaitUntilListeningAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_running.IsFaulted)
                throw new BenchmarkException($"The SMTP sink could not start on 127.0.0.1:{Port}: {_running.Exception?.GetBaseException().Message}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, ct);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50, ct);
            }
            catch (SocketException e)
            {
                throw new BenchmarkException($"The SMTP sink did not listen on 127.0.0.1:{Port} within 10 s: {e.Message}");
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reads the Message-ID from the header block only: parsing whole MIME messages would take the cores the app is measured on.</summary>
    private sealed class Store : MessageStore
    {
        private const int HeaderBytesRead = 16 * 1024;
        private int _count;

        public ConcurrentQueue<ReceivedMail> Messages { get; } = new();

        public int Count => Volatile.Read(ref _count);

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var at = Stopwatch.GetTimestamp();
            var mailAt = context.Properties.TryGetValue(MailCommandAtProperty, out var value) && value is long ticks ? ticks : at;
            Messages.Enqueue(new ReceivedMail(MessageIdOf(buffer), context.SessionId, mailAt, at, (int)buffer.Length));
            Interlocked.Increment(ref _count);
            return Task.FromResult(SmtpResponse.Ok);
        }

        public static string? MessageIdOf(ReadOnlySequence<byte> buffer)
        {
            var head = Encoding.Latin1.GetString(buffer.Slice(0, Math.Min(buffer.Length, HeaderBytesRead)));
            var end = head.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
                head = head[..end];
            // Unfold continuation lines first (RFC 5322 2.2.3), then look for the field by its case-insensitive name.
            foreach (var line in head.Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal).Split("\r\n"))
            {
                if (line.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase))
                    return line["Message-ID:".Length..].Trim().TrimStart('<').TrimEnd('>');
            }

            return null;
        }
    }
}
