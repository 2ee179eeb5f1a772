using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Cistrat.Learning.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Infrastructure;

/// <summary>
/// Drives the app over HTTP the way a browser without JavaScript would: keeps cookies, reads the
/// antiforgery token from the page it posts from, and does not follow redirects unless asked.
/// </summary>
public sealed class TestBrowser(LearningAppFactory app) : IDisposable
{
    public const string Password = "correct-horse-battery-9";

    private static readonly HtmlParser Parser = new();

    public HttpClient Client { get; } = app.CreateBrowser();

    public async Task<HttpResponseMessage> GetAsync(string url) => await Client.GetAsync(new Uri(url, UriKind.Relative));

    public async Task<IHtmlDocument> GetPageAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {url}: expected {expected}, got {(int)response.StatusCode} {response.Headers.Location}\n{html[..Math.Min(html.Length, 2000)]}");
        return await Parser.ParseDocumentAsync(html);
    }

    /// <summary>Posts a form as the page at <paramref name="pageUrl"/> would, with that page's antiforgery token.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string pageUrl, IDictionary<string, string> fields, string? action = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var page = await GetPageAsync(pageUrl);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
                    ?? throw new InvalidOperationException($"No antiforgery token on {pageUrl}");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        return await Client.PostAsync(new Uri(action ?? pageUrl, UriKind.Relative), new FormUrlEncodedContent(form));
    }

    public async Task RegisterAsync(string email, string fullName = "Test Trainee", string timeZone = "Africa/Algiers")
    {
        var response = await PostFormAsync("/account/register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
            ["Input.FullName"] = fullName,
            ["Input.Country"] = "DZ",
            ["Input.PreferredLanguage"] = "en",
            ["Input.TimeZoneId"] = timeZone,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Registration of {email} failed: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task SignInAsync(string email, string password = Password)
    {
        var response = await PostFormAsync("/account/login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {email} failed with {(int)response.StatusCode}");
    }

    /// <summary>Registers a person, gives them roles directly in the database, and signs them in (so the cookie carries the roles).</summary>
    public async Task<string> SignUpAsAsync(string email, params string[] roles)
    {
        await RegisterAsync(email, "Staff " + email);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException(email);
        if (roles.Length > 0)
            await users.AddToRolesAsync(user, roles);
        await SignInAsync(email);
        return user.Id;
    }

    public void Dispose() => Client.Dispose();
}
