using System.Globalization;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.E2E.Infrastructure;
using Cistrat.Learning.Web.Features.Notifications;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MimeKit;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Journeys;

/// <summary>
/// A trainee chooses which mail they receive, then unsubscribes from announcements through the link in one they
/// received: the next announcement reaches their dashboard but not their inbox. With no SMTP server configured, the
/// app's real Hangfire server sends through the pickup folder, which stands in for the trainee's inbox here.
/// </summary>
/// <remarks>
/// Each test has a trainee of its own, created for the run and enrolled in a demo cohort, so that its choices touch no
/// demo account another journey reads, and a second announcement can be told apart from other people's preferences.
/// </remarks>
[Collection(BrowserJourneys.Name)]
public sealed partial class MailPreferencesJourney(LearningSite site, JourneyScreenshots<MailPreferencesJourney> screenshots)
    : IClassFixture<JourneyScreenshots<MailPreferencesJourney>>
{
    private static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Trainee_ChoosesTheirMail_AndUnsubscribesThroughTheLinkInAReceivedMail_ThenGetsAnnouncementsOnlyOnTheDashboard()
    {
        var trainee = await CreateTraineeAsync("mail.preferences", "Mariam Haddad", cohortIndex: 0);
        var inbox = Inbox.Of(site);
        await using var traineeContext = await site.SignedInAsync(trainee.Email);
        var page = await traineeContext.NewPageAsync();

        // 1. From their profile, the trainee turns inactivity nudges off and the weekly digest on; both outlive a reload.
        await page.GotoAsync("/dashboard");
        await page.GetByRole(AriaRole.Link, new() { Name = "Profile", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Mail preferences", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Mail preferences", Level = 1 })).ToBeVisibleAsync();
        Assert.EndsWith("/notifications", page.Url, StringComparison.Ordinal);
        // Each kind is shown by its name, not by its resource key ("mail:announcement").
        foreach (var kind in MailKinds.Optional)
            await Expect(Enabled(page, kind.Name)).Not.ToHaveAccessibleNameAsync(RawKey());
        var announcementsName = (await page.Locator($"#kind-{MailKinds.Announcement} label").First.InnerTextAsync()).Trim();
        await Expect(Enabled(page, MailKinds.InactivityNudge)).ToBeCheckedAsync();
        await Expect(Enabled(page, MailKinds.Digest)).Not.ToBeCheckedAsync();
        await Expect(Enabled(page, MailKinds.Announcement)).ToBeCheckedAsync();
        await screenshots.TakeAsync(page, "preferences-as-they-come");

        await Enabled(page, MailKinds.InactivityNudge).UncheckAsync();
        await Enabled(page, MailKinds.Digest).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save preferences", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your mail preferences are saved.");
        await screenshots.TakeAsync(page, "preferences-saved");
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        await ExpectChoicesAsync(page, nudges: false, digest: true, announcements: true);
        await ExpectNoRawKeysAsync(page, "/notifications");
        await screenshots.TakeAsync(page, "preferences-saved-and-reloaded");

        // 2. The cohort's coordinator writes to the cohort; the trainee's copy arrives with a one-click unsubscribe.
        const string FirstSubject = "Reading for Thursday's case clinic";
        await using var coordinatorContext = await site.SignedInAsync(DemoAccounts.Coordinator);
        var coordinator = await coordinatorContext.NewPageAsync();
        var firstRecipients = await SendAnnouncementAsync(coordinator, trainee.CohortId, FirstSubject,
            "Please read the two indicator notes before Thursday.\n\nBring one figure from your own ministry.");
        await ExpectNoRawKeysAsync(coordinator, $"/cohorts/{trainee.CohortId}/announcements");
        await screenshots.TakeAsync(coordinator, "first-announcement-sent");

        var mail = await inbox.WaitForAsync(trainee.Email, $"[{trainee.CohortName}] {FirstSubject}");
        Assert.Equal(trainee.Email, Assert.Single(mail.To.Mailboxes).Address);
        var unsubscribeUrl = ListUnsubscribeUrl(mail);
        Assert.Equal(site.BaseAddress.GetLeftPart(UriPartial.Authority), unsubscribeUrl.GetLeftPart(UriPartial.Authority));
        Assert.Matches("^/unsubscribe/[A-Za-z0-9_-]+$", unsubscribeUrl.AbsolutePath);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers[HeaderId.ListUnsubscribePost]);
        Assert.NotNull(mail.HtmlBody);
        Assert.Contains("Bring one figure from your own ministry.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"<{unsubscribeUrl}>", mail.TextBody, StringComparison.Ordinal);
        await ExpectMailedAsync(coordinator, trainee.CohortId, FirstSubject, firstRecipients, firstRecipients);

        // 3. Someone not signed in (the trainee in their mail program) follows the link in the mail's footer. Opening
        // it changes nothing (mail systems open links to scan them); the button on the page unsubscribes.
        await using var mailReader = await site.VisitorAsync();
        var reader = await mailReader.NewPageAsync();
        await reader.SetContentAsync(mail.HtmlBody);
        await screenshots.TakeAsync(reader, "first-announcement-as-mailed");
        var link = reader.GetByRole(AriaRole.Link, new() { Name = "Unsubscribe from this kind of mail", Exact = true });
        Assert.Equal(unsubscribeUrl, new Uri(await link.GetAttributeAsync("href") ?? ""));
        await link.ClickAsync();
        await reader.WaitForURLAsync(unsubscribeUrl.ToString());
        await Expect(reader.GetByRole(AriaRole.Heading, new() { Name = "Unsubscribe", Level = 1 })).ToBeVisibleAsync();
        var confirm = reader.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe", Exact = true });
        await Expect(confirm).ToHaveIdAsync("confirm-unsubscribe");
        await Expect(reader.Locator("#unsubscribed")).ToHaveCountAsync(0);
        await Expect(reader.GetByRole(AriaRole.Main)).ToContainTextAsync($"Stop receiving \"{announcementsName}\" mail");
        await ExpectNoRawKeysAsync(reader, "/unsubscribe (before confirming)");
        await screenshots.TakeAsync(reader, "unsubscribe-asks-to-confirm");

        await page.ReloadAsync();
        await ExpectChoicesAsync(page, nudges: false, digest: true, announcements: true);

        await confirm.ClickAsync();
        var done = reader.GetByRole(AriaRole.Status);
        await Expect(done).ToHaveIdAsync("unsubscribed");
        await Expect(done).ToContainTextAsync($"you will no longer receive \"{announcementsName}\" mail");
        await Expect(reader.GetByRole(AriaRole.Button, new() { Name = "Undo: receive it again", Exact = true })).ToBeVisibleAsync();
        await ExpectNoRawKeysAsync(reader, "/unsubscribe (done)");
        await screenshots.TakeAsync(reader, "unsubscribed");

        // 4. Announcements are off, the earlier choices untouched; the next announcement is on the dashboard, not mailed.
        await page.ReloadAsync();
        await ExpectChoicesAsync(page, nudges: false, digest: true, announcements: false);
        await screenshots.TakeAsync(page, "preferences-after-unsubscribing");

        const string SecondSubject = "Room change for the case clinic";
        var secondRecipients = await SendAnnouncementAsync(coordinator, trainee.CohortId, SecondSubject,
            "The case clinic moves to the second link on your dashboard.");
        Assert.Equal(firstRecipients, secondRecipients);
        var secondFullSubject = $"[{trainee.CohortName}] {SecondSubject}";
        // Everyone but the trainee is mailed, and nothing of the cohort waits any more: the dispatcher has been through.
        await ExpectMailedAsync(coordinator, trainee.CohortId, SecondSubject, secondRecipients, secondRecipients - 1);
        await screenshots.TakeAsync(coordinator, "second-announcement-mailed");
        await coordinator.GotoAsync($"/cohorts/{trainee.CohortId}/mail");
        await UntilAsync(coordinator, coordinator.Locator("#count-pending strong"), "0", "no mail of the cohort pending");
        await ExpectNoRawKeysAsync(coordinator, $"/cohorts/{trainee.CohortId}/mail");
        await screenshots.TakeAsync(coordinator, "cohort-mail-nothing-pending");

        var second = await inbox.ReadAllAsync(m => m.Subject == secondFullSubject);
        Assert.Equal(secondRecipients - 1, second.Count);
        Assert.DoesNotContain(second, m => m.To.Mailboxes.Any(a => a.Address == trainee.Email));
        Assert.Single(await inbox.ReadAllAsync(m => m.To.Mailboxes.Any(a => a.Address == trainee.Email) && m.Subject!.EndsWith(FirstSubject, StringComparison.Ordinal)));

        await page.GotoAsync("/dashboard");
        var announcements = page.GetByRole(AriaRole.Region, new() { Name = "Announcements", Exact = true });
        await Expect(announcements.GetByRole(AriaRole.Heading, new() { Name = SecondSubject, Exact = true })).ToBeVisibleAsync();
        await Expect(announcements.GetByRole(AriaRole.Article).Filter(new() { HasText = SecondSubject }))
            .ToContainTextAsync("The case clinic moves to the second link on your dashboard.");
        await Expect(announcements.GetByRole(AriaRole.Heading, new() { Name = FirstSubject, Exact = true })).ToBeVisibleAsync();
        await screenshots.TakeAsync(page, "dashboard-with-both-announcements");
    }

    [Fact]
    public async Task OneClickPost_FromAMailProgram_WithoutCookiesOrAntiforgeryToken_TurnsThatKindOff()
    {
        var trainee = await CreateTraineeAsync("one.click", "Tomás Ferreira", cohortIndex: 1);
        var inbox = Inbox.Of(site);
        await using var traineeContext = await site.SignedInAsync(trainee.Email);
        var page = await traineeContext.NewPageAsync();
        await page.GotoAsync("/notifications");
        await Expect(Enabled(page, MailKinds.Announcement)).ToBeCheckedAsync();

        const string Subject = "Certificates are ready";
        await using var coordinatorContext = await site.SignedInAsync(DemoAccounts.Coordinator);
        var coordinator = await coordinatorContext.NewPageAsync();
        await SendAnnouncementAsync(coordinator, trainee.CohortId, Subject, "Download yours from the course page.");
        var mail = await inbox.WaitForAsync(trainee.Email, $"[{trainee.CohortName}] {Subject}");
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers[HeaderId.ListUnsubscribePost]);
        var url = ListUnsubscribeUrl(mail);

        // What a mail provider's server sends (RFC 8058 section 3.2): a bare form POST, no cookies, no antiforgery token.
        await using var mailProvider = await site.VisitorAsync();
        Assert.Empty(await mailProvider.CookiesAsync());
        var response = await mailProvider.APIRequest.PostAsync(url.ToString(), OneClick());
        Assert.Equal(200, response.Status);
        Assert.Contains("id=\"unsubscribed\"", await response.TextAsync(), StringComparison.Ordinal);
        // The secret in the URL is the only proof: a made-up token unsubscribes nobody.
        var forgedUrl = new Uri(url, "/unsubscribe/" + new string('A', 80)).ToString();
        var forged = await mailProvider.APIRequest.PostAsync(forgedUrl, OneClick());
        // 404 is what the page answers; a bare POST's error status is re-executed as a POST on /error, whose antiforgery
        // check answers 400 first (the error page has no [IgnoreAntiforgeryToken]). Either way the POST is refused.
        Assert.InRange(forged.Status, 400, 404);
        Assert.Equal(404, (await mailProvider.APIRequest.GetAsync(forgedUrl)).Status);

        await page.ReloadAsync();
        await Expect(Enabled(page, MailKinds.Announcement)).Not.ToBeCheckedAsync();
        await Expect(Enabled(page, MailKinds.SessionReminder)).ToBeCheckedAsync();
        await screenshots.TakeAsync(page, "one-click-preferences-after");

        static APIRequestContextOptions OneClick() => new()
        {
            Headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
            Data = "List-Unsubscribe=One-Click",
            MaxRedirects = 0,
        };
    }

    // The checkbox that turns one kind of mail on or off, in that kind's block of the preferences form.
    private static ILocator Enabled(IPage page, string kind) =>
        page.Locator($"#kind-{kind}").GetByRole(AriaRole.Checkbox).And(page.Locator("input[name$='.Enabled']"));

    private static async Task ExpectChoicesAsync(IPage page, bool nudges, bool digest, bool announcements)
    {
        await Expect(Enabled(page, MailKinds.InactivityNudge)).ToBeCheckedAsync(new() { Checked = nudges });
        await Expect(Enabled(page, MailKinds.Digest)).ToBeCheckedAsync(new() { Checked = digest });
        await Expect(Enabled(page, MailKinds.Announcement)).ToBeCheckedAsync(new() { Checked = announcements });
        // Kinds the trainee never touched keep their defaults.
        await Expect(Enabled(page, MailKinds.SessionReminder)).ToBeCheckedAsync();
        await Expect(Enabled(page, MailKinds.Deadline)).ToBeCheckedAsync();
    }

    /// <summary>Sends an announcement to all the cohort's trainees; returns how many it went to, as the page says.</summary>
    private static async Task<int> SendAnnouncementAsync(IPage coordinator, int cohortId, string subject, string body)
    {
        await coordinator.GotoAsync($"/cohorts/{cohortId}/announcements");
        await Expect(coordinator.GetByRole(AriaRole.Heading, new() { Name = "Announcements", Level = 1 })).ToBeVisibleAsync();
        await coordinator.GetByLabel("Subject", new() { Exact = true }).FillAsync(subject);
        await coordinator.GetByLabel("Message", new() { Exact = true }).FillAsync(body);
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Send announcement", Exact = true }).ClickAsync();
        var status = coordinator.GetByRole(AriaRole.Status);
        await Expect(status).ToHaveTextAsync(SentTo());
        await Expect(Posted(coordinator, subject)).ToHaveCountAsync(1);
        return int.Parse(SentTo().Match(await status.InnerTextAsync()).Groups["count"].Value, CultureInfo.InvariantCulture);
    }

    private static ILocator Posted(IPage coordinator, string subject) =>
        coordinator.GetByRole(AriaRole.Article).Filter(new() { Has = coordinator.GetByRole(AriaRole.Heading, new() { Name = subject, Exact = true }) });

    /// <summary>Waits until the coordinator's list says the announcement was mailed to <paramref name="mailed"/> people.</summary>
    private static async Task ExpectMailedAsync(IPage coordinator, int cohortId, string subject, int recipients, int mailed)
    {
        if (!coordinator.Url.EndsWith($"/cohorts/{cohortId}/announcements", StringComparison.Ordinal))
            await coordinator.GotoAsync($"/cohorts/{cohortId}/announcements");
        await UntilAsync(coordinator, Posted(coordinator, subject).Locator(".meta"), $"{recipients} recipients, {mailed} mailed so far", $"\"{subject}\" mailed to {mailed}",
            contains: true);
    }

    /// <summary>Reloads <paramref name="page"/> until <paramref name="locator"/> reads <paramref name="expected"/>: the page does not update by itself.</summary>
    private static async Task UntilAsync(IPage page, ILocator locator, string expected, string what, bool contains = false)
    {
        var deadline = DateTime.UtcNow + MailTimeout;
        while (true)
        {
            var text = (await locator.InnerTextAsync()).Trim();
            if (contains ? text.Contains(expected, StringComparison.Ordinal) : text == expected)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"Waited {MailTimeout.TotalSeconds:0} s for {what}; the page still says \"{text}\" at {page.Url}.");
            await Task.Delay(250);
            await page.ReloadAsync();
        }
    }

    private static Uri ListUnsubscribeUrl(MimeMessage mail)
    {
        var header = mail.Headers[HeaderId.ListUnsubscribe];
        Assert.NotNull(header);
        var match = AngleBracketed().Match(header);
        Assert.True(match.Success, $"List-Unsubscribe is not one <URL>: {header}");
        return new Uri(match.Groups["url"].Value);
    }

    /// <summary>A key shown as it is ("mail:announcement", "mail-status:Pending") means a string is missing from the resources.</summary>
    private static async Task ExpectNoRawKeysAsync(IPage page, string where)
    {
        var raw = RawKey().Matches(await page.GetByRole(AriaRole.Main).InnerTextAsync()).Select(m => m.Value).Distinct().ToList();
        Assert.True(raw.Count == 0, $"Untranslated keys on {where}: {string.Join(", ", raw)}");
    }

    private async Task<Trainee> CreateTraineeAsync(string key, string name, int cohortIndex)
    {
        await using var scope = site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var cohort = await db.Cohorts.AsNoTracking().OrderBy(c => c.Id).Skip(cohortIndex).Select(c => new { c.Id, c.Name }).FirstAsync();
        var now = time.GetUtcNow().UtcDateTime;
        var user = new ApplicationUser
        {
            UserName = $"{key}@e2e.local", Email = $"{key}@e2e.local", EmailConfirmed = true, FullName = name,
            PreferredLanguage = "en", TimeZoneId = "Africa/Nairobi", CreatedAt = now,
        };
        var created = await users.CreateAsync(user, DemoAccounts.Password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, Roles.Trainee);
        db.Enrolments.Add(new Enrolment { CohortId = cohort.Id, UserId = user.Id, Status = EnrolmentStatus.Active, RequestedAt = now, DecidedAt = now });
        await db.SaveChangesAsync();
        return new Trainee(user.Email, cohort.Id, cohort.Name);
    }

    [GeneratedRegex(@"^Announcement sent to (?<count>\d+) trainees\.$")]
    private static partial Regex SentTo();

    [GeneratedRegex(@"^\s*<(?<url>[^>]+)>\s*$")]
    private static partial Regex AngleBracketed();

    [GeneratedRegex(@"\b[a-z]+(?:-[a-z]+)*:[A-Za-z][A-Za-z-]*")]
    private static partial Regex RawKey();

    private sealed record Trainee(string Email, int CohortId, string CohortName);

    /// <summary>The pickup folder the app writes every message to while no SMTP server is configured.</summary>
    private sealed class Inbox(string folder)
    {
        public static Inbox Of(LearningSite site)
        {
            var transport = site.Services.GetRequiredService<IMailTransport>();
            var pickup = Assert.IsType<PickupFolderTransport>(transport);
            Assert.StartsWith(Path.GetFullPath(site.DataPath), pickup.Folder, StringComparison.Ordinal);
            return new Inbox(pickup.Folder);
        }

        /// <summary>Polls until a message to <paramref name="to"/> with exactly <paramref name="subject"/> is there.</summary>
        public async Task<MimeMessage> WaitForAsync(string to, string subject)
        {
            var deadline = DateTime.UtcNow + MailTimeout;
            while (true)
            {
                var found = await ReadAllAsync(m => m.Subject == subject && m.To.Mailboxes.Any(a => a.Address == to));
                if (found.Count > 0)
                    return Assert.Single(found);
                Assert.True(DateTime.UtcNow < deadline, $"No mail \"{subject}\" to {to} reached {folder} within {MailTimeout.TotalSeconds:0} s.");
                await Task.Delay(200);
            }
        }

        public async Task<List<MimeMessage>> ReadAllAsync(Func<MimeMessage, bool> match)
        {
            var result = new List<MimeMessage>();
            if (!Directory.Exists(folder))
                return result;
            foreach (var file in Directory.EnumerateFiles(folder, "*.eml"))
            {
                try
                {
                    var message = await MimeMessage.LoadAsync(file);
                    if (match(message))
                        result.Add(message);
                }
                catch (FileNotFoundException)
                {
                    // Replaced by the same message written again (same Message-ID, same name) while listing.
                }
            }

            return result;
        }
    }
}
