using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Cistrat.Learning.Web.Infrastructure.Storage;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>Where composed messages go: an SMTP server, or the pickup folder when none is configured.</summary>
public interface IMailTransport
{
    /// <summary>Opens one connection for a batch of messages; dispose it when the batch is done.</summary>
    Task<IMailConnection> ConnectAsync(CancellationToken ct);
}

public interface IMailConnection : IAsyncDisposable
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>MailKit over SMTP, one connection reused for a whole batch (reconnecting per message is slow).</summary>
public sealed class SmtpMailTransport(IOptions<MailOptions> options) : IMailTransport
{
    public async Task<IMailConnection> ConnectAsync(CancellationToken ct)
    {
        var o = options.Value;
        var host = o.Host ?? throw new InvalidOperationException("Mail:Host is not set.");
        var client = new SmtpClient { Timeout = o.TimeoutSeconds * 1000 };
        Socket? socket = null;
        try
        {
            socket = await OpenSocketAsync(host, o.Port, client.Timeout, ct);
            await client.ConnectAsync(socket, host, o.Port, o.Security, ct);
            if (!o.Pipelining)
                client.Capabilities &= ~SmtpCapabilities.Pipelining;
            if (!string.IsNullOrEmpty(o.UserName))
                await client.AuthenticateAsync(o.UserName, o.Password ?? "", ct);
            return new Connection(client);
        }
        catch
        {
            client.Dispose();
            socket?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A connected socket with Nagle's algorithm off, which MailKit has no switch for. With it on, the end of every
    /// message's DATA waits in the kernel until the server acknowledges the segment before it, and the server's kernel
    /// delays that acknowledgement by up to 40 ms: about 45 ms a message, even on loopback.
    /// </summary>
    private static async Task<Socket> OpenSocketAsync(string host, int port, int timeoutMs, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timeoutMs);
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Could not connect to {host}:{port} within {timeoutMs / 1000} s.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class Connection(SmtpClient client) : IMailConnection
    {
        public Task SendAsync(MimeMessage message, CancellationToken ct) => client.SendAsync(message, ct);

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected)
                    await client.DisconnectAsync(quit: true);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or OperationCanceledException)
            {
                // The messages are sent; a server that drops the line at QUIT changes nothing.
            }
            finally
            {
                client.Dispose();
            }
        }
    }
}

/// <summary>
/// The embedded default: each message becomes an .eml file in the pickup folder, named after its Message-ID, so a
/// message written twice is one file. Written beside and then moved, so a reader never sees half a message.
/// </summary>
public sealed class PickupFolderTransport(IOptions<MailOptions> options, DataFolder data) : IMailTransport
{
    public string Folder { get; } = Path.GetFullPath(Path.Combine(data.Root, options.Value.PickupPath));

    public Task<IMailConnection> ConnectAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        return Task.FromResult<IMailConnection>(new Connection(Folder));
    }

    private sealed class Connection(string folder) : IMailConnection
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.MessageId ?? Guid.NewGuid().ToString())))[..32];
            var path = Path.Combine(folder, name + ".eml");
            var temp = path + ".tmp";
            // A file has no SMTP server to negotiate 8-bit with: encode the parts for any reader.
            message.Prepare(EncodingConstraint.SevenBit);
            await message.WriteToAsync(temp, ct);
            File.Move(temp, path, overwrite: true);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
