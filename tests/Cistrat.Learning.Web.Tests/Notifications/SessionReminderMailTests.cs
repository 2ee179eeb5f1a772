using System.Globalization;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using MimeKit;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>
/// What a reader's mail program receives: a live-session reminder and an account mail, planned and sent by the
/// real app, received by a real SMTP server and parsed with MimeKit.
/// </summary>
public sealed class SessionReminderMailTests(MailAppFactory app) : IClassFixture<MailAppFactory>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly HtmlParser Parser = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetMailAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task SessionReminder_ArrivesWithHeadersBothPartsAndTheCalendarFile_InTheRecipientsZone()
    {
        var now = MailWorld.Now(app);
        var lecturer = await MailWorld.PersonAsync(app, "Lecturer Ngozi Adeyemi", timeZone: "Africa/Lagos", role: Roles.Lecturer);
        var trainee = await MailWorld.PersonAsync(app, "Maria do Carmo Silva", timeZone: "America/Sao_Paulo");
        var cohort = await MailWorld.CohortAsync(app, lecturer);
        await MailWorld.EnrolAsync(app, cohort, trainee);
        var startsAt = now.AddHours(5);
        var session = await MailWorld.SessionAsync(app, cohort, "Measuring R&D", startsAt, lecturer);

        Assert.Equal(2, await MailWorld.PlanSessionMailAsync(app));
        var before = app.Clock.GetUtcNow();
        Assert.Equal(2, (await app.DispatchAsync()).Sent);
        var after = app.Clock.GetUtcNow();

        var message = Assert.Single(app.Smtp.To(trainee.Email));
        var row = Assert.Single(await MailWorld.OutboxAsync(app), m => m.UserId == trainee.Id);
        Assert.Equal((MailStatus.Sent, MailKinds.SessionReminder), (row.Status, row.Kind));

        // Message-ID: derived from the outbox key, so a message sent again keeps its identity; one per recipient.
        var composer = app.Services.GetRequiredService<MailComposer>();
        Assert.Equal(composer.MessageIdOf(row.Key), message.MessageId);
        Assert.EndsWith("@learning.example.org", message.MessageId, StringComparison.Ordinal);
        Assert.NotEqual(message.MessageId, Assert.Single(app.Smtp.To(lecturer.Email)).MessageId);

        Assert.InRange(message.Date, before.AddSeconds(-1), after.AddSeconds(1));
        var from = Assert.Single(message.From.Mailboxes);
        Assert.Equal((MailAppFactory.FromName, MailAppFactory.FromAddress), (from.Name, from.Address));
        var to = Assert.Single(message.To.Mailboxes);
        Assert.Equal((trainee.FullName, trainee.Email), (to.Name, to.Address));

        // The time as the trainee reads it: São Paulo's wall clock, worked out here without the app's helpers.
        var local = TimeZoneInfo.ConvertTimeFromUtc(startsAt, TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo"));
        var shown = local.ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " (America/Sao_Paulo)";
        Assert.Equal($"Reminder: {session.Title}, {shown}", message.Subject);

        // RFC 8058 one-click unsubscribe, to the site's own https address.
        var unsubscribe = message.Headers[HeaderId.ListUnsubscribe] ?? "";
        Assert.StartsWith($"<{MailAppFactory.SiteUrl}/unsubscribe/", unsubscribe, StringComparison.Ordinal);
        Assert.EndsWith(">", unsubscribe, StringComparison.Ordinal);
        Assert.Equal("https", new Uri(unsubscribe.Trim('<', '>')).Scheme);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);

        // multipart/mixed: the alternative of a plain and an HTML part, then the calendar file.
        var mixed = Assert.IsType<Multipart>(message.Body);
        Assert.Equal("mixed", mixed.ContentType.MediaSubtype);
        var alternative = Assert.IsType<MultipartAlternative>(mixed[0]);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType).ToArray());
        Assert.Contains(shown, TextOf(message.Html()), StringComparison.Ordinal);
        Assert.Contains(shown, message.Text(), StringComparison.Ordinal);
        Assert.Contains("Organiser's time", TextOf(message.Html()), StringComparison.Ordinal);
        var roomLink = $"{MailAppFactory.SiteUrl}/sessions/{session.Id}/room";
        Assert.Contains($"href=\"{roomLink}\"", message.Html(), StringComparison.Ordinal);
        Assert.Contains(roomLink, message.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("<p", message.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("<table", message.Text(), StringComparison.Ordinal);

        var ics = message.Calendar();
        Assert.Equal($"session-{session.Id}.ics", ics.FileName);
        Assert.Contains($"UID:session-{session.Uid:N}@cistrat.learning\r\n", ics.Text, StringComparison.Ordinal);
        Assert.Contains("SEQUENCE:0\r\n", ics.Text, StringComparison.Ordinal);
        Assert.Contains($"DTSTART:{startsAt:yyyyMMdd'T'HHmmss'Z'}\r\n", ics.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("STATUS:CANCELLED", ics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArabicAndChineseText_ArrivesAsCharacters_NotEntities()
    {
        const string arabicName = "فاطمة الزهراء بن علي";
        const string chineseName = "王小明";
        const string chineseTitle = "创新政策研讨会";
        var now = MailWorld.Now(app);
        var arabicReader = await MailWorld.PersonAsync(app, arabicName, language: "ar", timeZone: "Africa/Cairo");
        var chineseReader = await MailWorld.PersonAsync(app, chineseName, language: "zh", timeZone: "Asia/Shanghai");
        var cohort = await MailWorld.CohortAsync(app);
        await MailWorld.EnrolAsync(app, cohort, arabicReader);
        await MailWorld.EnrolAsync(app, cohort, chineseReader);
        await MailWorld.SessionAsync(app, cohort, chineseTitle, now.AddHours(2));

        Assert.Equal(2, await MailWorld.PlanSessionMailAsync(app));
        Assert.Equal(2, (await app.DispatchAsync()).Sent);

        var arabic = Assert.Single(app.Smtp.To(arabicReader.Email));
        // Mail comes in the languages its templates are translated into (others get English); header and document agree.
        var language = ContentLanguage(arabic);
        Assert.Contains(language, MailComposer.Languages);
        Assert.Contains($"<html lang=\"{language}\"", arabic.Html(), StringComparison.Ordinal);
        Assert.Equal(arabicName, Assert.Single(arabic.To.Mailboxes).Name);
        Assert.Contains(arabicName, arabic.Html(), StringComparison.Ordinal);
        Assert.Contains(chineseTitle, arabic.Html(), StringComparison.Ordinal);
        Assert.Contains(arabicName, arabic.Text(), StringComparison.Ordinal);
        Assert.Contains(chineseTitle, arabic.Subject, StringComparison.Ordinal);

        var chinese = Assert.Single(app.Smtp.To(chineseReader.Email));
        Assert.Equal(chineseName, Assert.Single(chinese.To.Mailboxes).Name);
        Assert.Contains(chineseName, chinese.Html(), StringComparison.Ordinal);
        Assert.Contains(chineseTitle, chinese.Html(), StringComparison.Ordinal);
        Assert.Contains(chineseTitle, chinese.Text(), StringComparison.Ordinal);

        // Markup characters (quotes, apostrophes) may be escaped; a letter of any script may not.
        foreach (var html in new[] { arabic.Html(), chinese.Html() })
        {
            var escaped = Regex.Matches(html, "&#(x[0-9a-fA-F]+|[0-9]+);").Select(m => m.Groups[1].Value)
                .Select(v => v[0] is 'x' or 'X' ? int.Parse(v[1..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : int.Parse(v, CultureInfo.InvariantCulture));
            Assert.All(escaped, c => Assert.True(c < 0x80, $"U+{c:X4} was written as an entity"));
            Assert.DoesNotMatch("&[a-z]+;", Regex.Replace(html, "&(amp|lt|gt|quot|nbsp);", ""));
        }

        // The calendar file carries the title as UTF-8 text too (folded lines joined back).
        Assert.Contains(chineseTitle, chinese.Calendar().Text.Replace("\r\n ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FrenchReader_GetsFrenchDatesAndLanguage_AndFrenchWordsOnceTheyAreTranslated()
    {
        var now = MailWorld.Now(app);
        var reader = await MailWorld.PersonAsync(app, "Élodie Lefèvre", language: "fr", timeZone: "Europe/Paris");
        var cohort = await MailWorld.CohortAsync(app);
        await MailWorld.EnrolAsync(app, cohort, reader);
        var startsAt = now.AddHours(20);
        await MailWorld.SessionAsync(app, cohort, "Politique d'innovation", startsAt);

        Assert.Equal(1, await MailWorld.PlanSessionMailAsync(app));
        Assert.Equal(1, (await app.DispatchAsync()).Sent);
        var message = Assert.Single(app.Smtp.To(reader.Email));

        Assert.Equal("fr", ContentLanguage(message));
        Assert.Contains("<html lang=\"fr\" dir=\"ltr\">", message.Html(), StringComparison.Ordinal);
        // "mardi 3 mars 2026, 14:00": French day and month names, day before month, 24-hour clock, Paris time.
        var local = TimeZoneInfo.ConvertTimeFromUtc(startsAt, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        string[] days = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
        string[] months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
        var shown = $"{days[(int)local.DayOfWeek]} {local.Day} {months[local.Month - 1]} {local.Year}, {local.Hour:00}:{local.Minute:00} (Europe/Paris)";
        Assert.Contains(shown, TextOf(message.Html()), StringComparison.Ordinal);
        Assert.Contains(shown, message.Subject, StringComparison.Ordinal);

        if (FrenchMailTextFile() is null)
            Assert.Skip("Resources/MailText.fr.resx does not exist yet: the French wording of mail cannot be checked (dates were).");

        // The app's own French table says what the words are; the mail must use them, and not the English ones.
        var localizer = app.Services.GetRequiredService<IStringLocalizer<MailText>>();
        var (previous, previousUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        string join, reminder;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("fr");
            join = localizer["Join the live room"];
            reminder = localizer["Reminder: {0}, {1}"];
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (previous, previousUi);
        }

        Assert.NotEqual("Join the live room", join);
        var text = TextOf(message.Html());
        Assert.Contains(join, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Join the live room", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Dear ", text, StringComparison.Ordinal);
        Assert.StartsWith(reminder[..reminder.IndexOf("{0}", StringComparison.Ordinal)], message.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountMail_IsSentOnce_WithoutUnsubscribeHeaders()
    {
        var person = await MailWorld.PersonAsync(app, "Yusuf Okafor");
        const string link = "https://learning.example.org/account/confirm?userId=x&code=abc123";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await users.FindByIdAsync(person.Id) ?? throw new InvalidOperationException(person.Id);
            var sender = scope.ServiceProvider.GetRequiredService<IEmailSender<ApplicationUser>>();
            Assert.IsType<AccountMailSender>(sender);
            await sender.SendConfirmationLinkAsync(user, person.Email, link);
            // Identity asking again with the same link is the same mail.
            await sender.SendConfirmationLinkAsync(user, person.Email, link);
        }

        Assert.Equal(MailKinds.AccountConfirmation, Assert.Single(await MailWorld.OutboxAsync(app)).Kind);
        Assert.Equal(1, (await app.DispatchAsync()).Sent);

        var message = Assert.Single(await app.Smtp.WaitForAsync(1, Wait));
        Assert.Equal(person.Email, Assert.Single(message.To.Mailboxes).Address);
        Assert.Null(message.Headers[HeaderId.ListUnsubscribe]);
        Assert.Null(message.Headers["List-Unsubscribe-Post"]);
        Assert.DoesNotContain("/unsubscribe/", message.Html(), StringComparison.Ordinal);
        Assert.Equal("Confirm your email address for Cistrat.Learning", message.Subject);
        Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Contains("href=\"https://learning.example.org/account/confirm?userId=x&amp;code=abc123\"", message.Html(), StringComparison.Ordinal);
        Assert.Contains(link, message.Text(), StringComparison.Ordinal);
        Assert.NotNull(message.MessageId);
    }

    /// <summary>Content-Language, which MimeKit files under the body's headers when it parses a message.</summary>
    private static string? ContentLanguage(MimeMessage message) =>
        message.Headers[HeaderId.ContentLanguage] ?? message.Body?.Headers[HeaderId.ContentLanguage];

    /// <summary>The text a reader sees in an HTML part, entities decoded.</summary>
    private static string TextOf(string html) => Parser.ParseDocument(html).Body?.TextContent ?? "";

    /// <summary>The French string table of mail in the source tree, when someone has written it.</summary>
    private static string? FrenchMailTextFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cistrat.Learning.sln")))
            {
                var path = Path.Combine(dir.FullName, "src", "Cistrat.Learning.Web", "Resources", "MailText.fr.resx");
                return File.Exists(path) ? path : null;
            }
        }

        return null;
    }
}
