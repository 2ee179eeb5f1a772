using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free loopback port, in this process. It keeps every message it
/// accepted, parsed with MimeKit; it can refuse chosen recipients for good (550 at RCPT), and it can be stopped and
/// started again on the same port to play an outage.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _arrived = new(0);
    private SmtpServer.SmtpServer? _server;
    private CancellationTokenSource? _stop;
    private Task? _running;

    public TestSmtpServer() => Port = FreePort();

    public int Port { get; }

    public bool IsRunning => _running is { IsCompleted: false };

    /// <summary>Every message accepted so far, in the order the server accepted them.</summary>
    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    public IReadOnlyList<MimeMessage> Messages => [.. _received.Select(r => r.Message)];

    /// <summary>Starts listening (again, after <see cref="StopAsync"/>) and returns once a client can connect.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
            return;
        var provider = new ServiceProvider();
        provider.Add(new Store(this));
        provider.Add(new Filter(this));
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)).IsSecure(false))
            .Build();
        _stop = new CancellationTokenSource();
        _server = new SmtpServer.SmtpServer(options, provider);
        _running = _server.StartAsync(_stop.Token);
        await WaitUntilListeningAsync();
    }

    /// <summary>Stops listening and drops open sessions: a client now gets "connection refused".</summary>
    public async Task StopAsync()
    {
        if (_server is null || _running is null || _stop is null)
            return;
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // Stopping is what was asked for.
        }

        _stop.Dispose();
        (_server, _running, _stop) = (null, null, null);
    }

    /// <summary>From now on RCPT TO this address is answered "550 mailbox unavailable".</summary>
    public void Refuse(string address) => _refused[address] = true;

    public void Clear()
    {
        _received.Clear();
        _refused.Clear();
        while (_arrived.CurrentCount > 0)
            _arrived.Wait(0);
    }

    /// <summary>Waits, up to <paramref name="timeout"/>, until at least <paramref name="count"/> messages have arrived.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (_received.Count < count)
                await _arrived.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Expected {count} messages at the SMTP server within {timeout.TotalSeconds:0} s, got {_received.Count}.");
        }

        return Messages;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _arrived.Dispose();
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (_running is { IsFaulted: true } failed)
                await failed;
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Store(TestSmtpServer owner) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var bytes = buffer.ToArray();
            using var stream = new MemoryStream(bytes);
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            owner._received.Enqueue(new ReceivedMail(message, [.. transaction.To.Select(t => t.AsAddress())], bytes));
            owner._arrived.Release();
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter(TestSmtpServer owner) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!owner._refused.ContainsKey(to.AsAddress()));
    }
}

/// <summary>A message as the server accepted it: parsed, with the envelope's recipients and the bytes on the wire.</summary>
public sealed record ReceivedMail(MimeMessage Message, IReadOnlyList<string> EnvelopeTo, byte[] Raw);
