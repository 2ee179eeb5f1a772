using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>Settings under "Mail". With no <see cref="Host"/>, mail is written as .eml files to the pickup folder.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>SMTP server; empty writes every message to <see cref="PickupPath"/> instead.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>MailKit's SecureSocketOptions: Auto, None, SslOnConnect, StartTls, StartTlsWhenAvailable.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    public string? UserName { get; set; }

    /// <summary>From the environment or a secret store, never from a file in git.</summary>
    public string? Password { get; set; }

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "no-reply@cistrat.local";

    public string FromName { get; set; } = "Cistrat.Learning";

    /// <summary>Folder for .eml files when no SMTP server is set; relative to the data folder.</summary>
    public string PickupPath { get; set; } = "mail-pickup";

    /// <summary>The site's public address, for links in mail (sent by jobs, outside any request).</summary>
    [Required, Url]
    public string SiteUrl { get; set; } = "http://localhost:5095";

    /// <summary>Messages sent over one SMTP connection per batch.</summary>
    [Range(1, 5000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>Attempts before a message that keeps failing transiently is given up as failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 12;

    /// <summary>SMTP PIPELINING, when the server offers it; off only for servers that handle it badly.</summary>
    public bool Pipelining { get; set; } = true;

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 60;
}
