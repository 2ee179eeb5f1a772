using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Cistrat.Learning.Benchmarks;

/// <summary>MailKit alone against the sink: milliseconds per message over one connection, with Nagle's algorithm on (the socket's default) and off.</summary>
internal sealed record SmtpProbeResult(int Messages, long MessageBytes, double DefaultSocketMs, double NoDelayMs);

/// <summary>
/// What one SMTP exchange costs on loopback without the app: MailKit's SmtpClient, PIPELINING off as the section runs
/// the app, sending a message of the reminders' size and shape (HTML, text, an .ics) to <see cref="SmtpSink"/> one after
/// another. Once on a socket as MailKit opens it, once on a socket with TCP_NODELAY: the difference is what the
/// Nagle algorithm and the receiver's delayed ACK cost a message.
/// </summary>
internal static class SmtpProbe
{
    private const int WarmUp = 20;

    public static async Task<SmtpProbeResult> RunAsync(int port, int messages, CancellationToken ct)
    {
        var message = Sample();
        long bytes;
        using (var measure = new MemoryStream())
        {
            await message.WriteToAsync(measure, ct);
            bytes = measure.Length;
        }

        await SendAsync(port, noDelay: false, message, WarmUp, ct);
        await SendAsync(port, noDelay: true, message, WarmUp, ct);
        var plain = await SendAsync(port, noDelay: false, message, messages, ct);
        var noDelay = await SendAsync(port, noDelay: true, message, messages, ct);
        return new SmtpProbeResult(messages, bytes, plain.TotalMilliseconds / messages, noDelay.TotalMilliseconds / messages);
    }

    private static async Task<TimeSpan> SendAsync(int port, bool noDelay, MimeMessage message, int count, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = 30_000 };
        if (noDelay)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port, ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            await client.ConnectAsync(socket, "127.0.0.1", port, SecureSocketOptions.None, ct);
        }
        else
        {
            await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None, ct);
        }

        client.Capabilities &= ~SmtpCapabilities.Pipelining;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            message.MessageId = $"probe-{noDelay}-{Guid.NewGuid():N}@sink.bench.local";
            await client.SendAsync(message, ct);
        }

        var elapsed = clock.Elapsed;
        await client.DisconnectAsync(quit: true, ct);
        return elapsed;
    }

    /// <summary>About the size of a session reminder: a few KB of HTML, its text part, a small calendar file.</summary>
    private static MimeMessage Sample()
    {
        var paragraph = "The session starts in one hour. Join the room from the course page; the slides follow the lecturer. ";
        var html = new StringBuilder("<!DOCTYPE html><html><body>");
        for (var i = 0; i < 24; i++)
            html.Append("<p style=\"margin:0 0 12px\">").Append(paragraph).Append("</p>");
        html.Append("</body></html>");
        var text = string.Concat(Enumerable.Repeat(paragraph + "\n\n", 16));
        var ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:probe@bench\r\nDTSTAMP:20260101T000000Z\r\n"
            + "DTSTART:20260101T100000Z\r\nDTEND:20260101T110000Z\r\nSUMMARY:Probe\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        var body = new BodyBuilder { HtmlBody = html.ToString(), TextBody = text };
        body.Attachments.Add("session.ics", Encoding.UTF8.GetBytes(ics), new ContentType("text", "calendar") { Charset = "utf-8" });
        var message = new MimeMessage { Subject = "Reminder: the session starts in one hour", Body = body.ToMessageBody() };
        message.From.Add(new MailboxAddress("Cistrat.Learning", "no-reply@cistrat.local"));
        message.To.Add(new MailboxAddress("Probe", "probe@mail.bench.local"));
        return message;
    }
}
