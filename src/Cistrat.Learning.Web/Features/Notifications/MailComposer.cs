using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cistrat.Learning.Core;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Live;
using Cistrat.Learning.Web.Features.Notifications.Templates;
using Cistrat.Learning.Web.Infrastructure.Localization;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>Turns an outbox row into a MIME message: its template rendered in the recipient's language, both parts, headers.</summary>
public sealed class MailComposer(IOptions<MailOptions> options, UnsubscribeTokens unsubscribe, TimeProvider time)
{
    private readonly MailOptions _options = options.Value;

    public Uri Site { get; } = new(options.Value.SiteUrl.TrimEnd('/') + "/");

    /// <param name="session">The session a session mail is about, as it is now (for the attached .ics).</param>
    /// <param name="attachment">A file the mail carries (a certificate's PDF).</param>
    public async Task<MimeMessage> ComposeAsync(OutgoingMail mail, MailRenderer renderer, LiveSession? session = null, MailAttachment? attachment = null)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(renderer);
        var kind = MailKinds.Find(mail.Kind) ?? throw new MailCompositionException($"Unknown mail kind '{mail.Kind}'.");
        var unsubscribeUrl = kind.Essential || mail.UserId is null ? null : new Uri(Site, $"/unsubscribe/{unsubscribe.Create(mail.UserId, mail.Kind)}");
        var context = new MailContext(mail.ToName, mail.TimeZoneId, Site, unsubscribeUrl);
        var culture = CultureOf(mail.Language);
        var (component, parameters) = Template(mail, context);
        var html = await renderer.RenderAsync(component, parameters, culture);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(_options.FromName, _options.FromAddress));
        message.To.Add(new MailboxAddress(mail.ToName, mail.ToAddress));
        message.Subject = context.Subject;
        message.Date = time.GetUtcNow();
        message.MessageId = MessageIdOf(mail.Key);
        message.Headers.Add("Content-Language", culture.TwoLetterISOLanguageName);
        // RFC 3834: automatic mail, so that out-of-office replies stay quiet.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        if (unsubscribeUrl is not null)
        {
            // RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to the URL, no sign-in needed.
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new BodyBuilder { HtmlBody = html, TextBody = HtmlToText.Convert(html) };
        if (session is not null)
        {
            var ics = ICalendar.Write([LiveEndpoints.EventOf(session, Site)], session.Title, time.GetUtcNow().UtcDateTime);
            body.Attachments.Add($"session-{session.Id}.ics", Encoding.UTF8.GetBytes(ics), new ContentType("text", "calendar") { Charset = "utf-8" });
        }

        if (attachment is not null)
            body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));

        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>The same key always gives the same Message-ID, so a message sent again is recognisably the same message.</summary>
    public string MessageIdOf(string key) =>
        $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}@{Site.Host}";

    private static (Type Component, Dictionary<string, object?> Parameters) Template(OutgoingMail mail, MailContext context)
    {
        Dictionary<string, object?> With(object model) => new() { ["Mail"] = context, ["Model"] = model };
        return mail.Kind switch
        {
            MailKinds.SessionReminder or MailKinds.SessionUpdate => (typeof(SessionMail), With(Read<SessionMailModel>(mail))),
            MailKinds.InactivityNudge => (typeof(NudgeMail), With(Read<NudgeMailModel>(mail))),
            MailKinds.Deadline => (typeof(DeadlineMail), With(Read<DeadlineMailModel>(mail))),
            MailKinds.Announcement => (typeof(AnnouncementMail), With(Read<AnnouncementMailModel>(mail))),
            MailKinds.Digest => (typeof(DigestMail), With(Read<DigestMailModel>(mail))),
            MailKinds.CertificateIssued => (typeof(CertificateMail), With(Read<CertificateMailModel>(mail))),
            MailKinds.AccountConfirmation or MailKinds.PasswordReset =>
                (typeof(AccountMail), new Dictionary<string, object?> { ["Mail"] = context, ["Model"] = Read<AccountMailModel>(mail), ["Kind"] = mail.Kind }),
            _ => throw new MailCompositionException($"No template for mail kind '{mail.Kind}'."),
        };
    }

    public static T Read<T>(OutgoingMail mail)
    {
        ArgumentNullException.ThrowIfNull(mail);
        try
        {
            return JsonSerializer.Deserialize<T>(mail.ModelJson, MailJson.Options)
                ?? throw new MailCompositionException($"The model of mail {mail.Id} is empty.");
        }
        catch (JsonException e)
        {
            throw new MailCompositionException($"The model of mail {mail.Id} is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The languages every mail template is translated into. A recipient who reads another language gets the whole mail
    /// in English (dates included) rather than English sentences around dates in their own language.
    /// </summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "fr"];

    private static CultureInfo CultureOf(string? language) =>
        CultureInfo.GetCultureInfo(language is not null && Languages.Contains(language) ? language : UiCultures.Default);
}

/// <summary>A file attached to a mail.</summary>
public sealed record MailAttachment(string FileName, byte[] Content, string ContentType);

/// <summary>A mail that cannot be built (unknown kind, unreadable model): a bug or bad data, not worth retrying.</summary>
public sealed class MailCompositionException : Exception
{
    public MailCompositionException(string message)
        : base(message)
    {
    }

    public MailCompositionException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
