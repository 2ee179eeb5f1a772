using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>
/// The Hangfire dashboard at /jobs: for signed-in admins (who manage jobs) and coordinators (who only look);
/// nobody else, wherever the request comes from. (The mail test host, for its log of errors; no mail is sent here.)
/// </summary>
public sealed partial class JobsDashboardTests(MailAppFactory app) : IClassFixture<MailAppFactory>, IAsyncLifetime
{
    private const string RecurringId = "dashboard-test-nudges";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await app.ResetMailAsync();
        // The test host schedules nothing by itself: one recurring job gives the dashboard something to trigger.
        // Made anew for every test: a trigger by an earlier test must not count as this test's.
        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        recurring.RemoveIfExists(RecurringId);
        recurring.AddOrUpdate<ReminderSweepJob>(RecurringId, j => j.NudgesAsync(CancellationToken.None), Cron.Never());
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Anonymous_IsSentToSignIn()
    {
        using var browser = new TestBrowser(app);
        foreach (var url in new[] { "/jobs", "/jobs/recurring" })
        {
            var response = await browser.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/login", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        }

        Assert.Null(LastJobOfRecurring());
    }

    [Fact]
    public async Task Trainee_IsForbidden()
    {
        using var browser = new TestBrowser(app);
        await browser.SignUpAsAsync($"trainee-{Guid.NewGuid():n}@example.org", Roles.Trainee);

        var response = await browser.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/access-denied", response.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync(response.Headers.Location.PathAndQuery)).StatusCode);

        var trigger = await browser.Client.PostAsync(new Uri("/jobs/recurring/trigger", UriKind.Relative), new FormUrlEncodedContent([new("jobs[]", RecurringId)]), Ct);
        Assert.False(trigger.IsSuccessStatusCode, $"A trainee's trigger answered {(int)trigger.StatusCode}");
        Assert.Null(LastJobOfRecurring());
    }

    [Fact]
    public async Task Coordinator_SeesTheDashboard_ReadOnly()
    {
        using var browser = new TestBrowser(app);
        await browser.SignUpAsAsync($"coordinator-{Guid.NewGuid():n}@example.org", Roles.Coordinator);

        var home = await HtmlAsync(browser, "/jobs");
        Assert.Contains("Cistrat.Learning jobs", home, StringComparison.Ordinal);
        var recurring = await HtmlAsync(browser, "/jobs/recurring");
        Assert.Contains(RecurringId, recurring, StringComparison.Ordinal);
        Assert.DoesNotContain("Trigger now", recurring, StringComparison.Ordinal);
        Assert.DoesNotContain("/jobs/recurring/trigger", recurring, StringComparison.Ordinal);
        Assert.DoesNotContain("/jobs/recurring/remove", recurring, StringComparison.Ordinal);

        // Without the button, the command itself: refused, and nothing is enqueued.
        var trigger = await TriggerAsync(browser, recurring);
        Assert.False(trigger.IsSuccessStatusCode, $"A coordinator's trigger answered {(int)trigger.StatusCode}");
        Assert.Null(LastJobOfRecurring());
    }

    [Fact]
    public async Task Admin_SeesTheDashboard_WithItsCommands_AndCanTrigger()
    {
        using var browser = new TestBrowser(app);
        await browser.SignUpAsAsync($"admin-{Guid.NewGuid():n}@example.org", Roles.Admin);

        Assert.Contains("Cistrat.Learning jobs", await HtmlAsync(browser, "/jobs"), StringComparison.Ordinal);
        var recurring = await HtmlAsync(browser, "/jobs/recurring");
        Assert.Contains("Trigger now", recurring, StringComparison.Ordinal);
        Assert.Contains("/jobs/recurring/trigger", recurring, StringComparison.Ordinal);
        Assert.Contains("/jobs/recurring/remove", recurring, StringComparison.Ordinal);

        var trigger = await TriggerAsync(browser, recurring);
        Assert.True(trigger.IsSuccessStatusCode, $"An admin's trigger answered {(int)trigger.StatusCode}; the app logged: {app.Log}");
        Assert.NotNull(LastJobOfRecurring());
    }

    private static async Task<string> HtmlAsync(TestBrowser browser, string url)
    {
        var response = await browser.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {response.Headers.Location}");
        return html;
    }

    /// <summary>Posts the dashboard's "Trigger now" command as its script would, with the antiforgery header the page carries.</summary>
    private static async Task<HttpResponseMessage> TriggerAsync(TestBrowser browser, string page)
    {
        var header = AntiforgeryHeader().Match(page);
        var token = AntiforgeryToken().Match(page);
        Assert.True(header.Success && token.Success, "The dashboard page carries no antiforgery token.");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/jobs/recurring/trigger", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent([new("jobs[]", RecurringId)]),
        };
        request.Headers.TryAddWithoutValidation(WebUtility.HtmlDecode(header.Groups[1].Value), WebUtility.HtmlDecode(token.Groups[1].Value));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return await browser.Client.SendAsync(request, Ct);
    }

    private string? LastJobOfRecurring()
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetAllEntriesFromHash($"recurring-job:{RecurringId}")?.GetValueOrDefault("LastJobId");
    }

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryHeader();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
