using System.Net;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Features.Account;

public sealed class AccountTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>, IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Register_CreatesTrainee_AndSignsIn()
    {
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("selam@example.org", "Selamawit Tesfaye", "Africa/Addis_Ababa");

        var dashboard = await browser.GetPageAsync("/dashboard");
        Assert.Contains("My learning", dashboard.Title, StringComparison.Ordinal);
        var roles = await app.WithDbAsync(db => db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).ToListAsync());
        Assert.Equal(["Trainee"], roles);
    }

    [Fact]
    public async Task Register_WithExistingEmail_SaysSo_AndCreatesNoSecondAccount()
    {
        using var first = new TestBrowser(app);
        await first.RegisterAsync("twice@example.org");
        using var second = new TestBrowser(app);
        var response = await second.PostFormAsync("/account/register", new Dictionary<string, string>
        {
            ["Input.Email"] = "twice@example.org", ["Input.Password"] = TestBrowser.Password, ["Input.ConfirmPassword"] = TestBrowser.Password,
            ["Input.FullName"] = "Someone Else", ["Input.PreferredLanguage"] = "en", ["Input.TimeZoneId"] = "Etc/UTC",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("already exists", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task SignIn_LocksAccount_AfterFiveWrongPasswords()
    {
        using var owner = new TestBrowser(app);
        await owner.RegisterAsync("locked@example.org");
        using var attacker = new TestBrowser(app);
        for (var i = 0; i < 5; i++)
        {
            var wrong = await attacker.PostFormAsync("/account/login", new Dictionary<string, string> { ["Input.Email"] = "locked@example.org", ["Input.Password"] = "wrong-password-" + i });
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var right = await attacker.PostFormAsync("/account/login", new Dictionary<string, string> { ["Input.Email"] = "locked@example.org", ["Input.Password"] = TestBrowser.Password });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_IsRejected()
    {
        using var browser = new TestBrowser(app);
        var response = await browser.Client.PostAsync(new Uri("/account/register", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "csrf@example.org", ["Input.Password"] = TestBrowser.Password, ["Input.ConfirmPassword"] = TestBrowser.Password, ["Input.FullName"] = "X",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Profile_KeepsNameInAnyScript_AndRejectsUnknownTimeZone()
    {
        using var browser = new TestBrowser(app);
        await browser.RegisterAsync("profile@example.org");
        var saved = await browser.PostFormAsync("/account/profile", new Dictionary<string, string>
        {
            ["Input.FullName"] = "محمد عبد الله", ["Input.Country"] = "EG", ["Input.Organisation"] = "ASRT",
            ["Input.PreferredLanguage"] = "ar", ["Input.TimeZoneId"] = "Africa/Cairo", ["Input.Gender"] = "",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var user = await app.WithDbAsync(db => db.Users.SingleAsync());
        Assert.Equal("محمد عبد الله", user.FullName);
        Assert.Equal("Africa/Cairo", user.TimeZoneId);

        // The new language applies at once, right to left.
        var page = await browser.GetPageAsync("/account/profile");
        Assert.Equal("rtl", page.DocumentElement.GetAttribute("dir"));

        var bad = await browser.PostFormAsync("/account/profile", new Dictionary<string, string>
        {
            ["Input.FullName"] = "Name", ["Input.PreferredLanguage"] = "xx", ["Input.TimeZoneId"] = "Nowhere/Atlantis",
        });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Equal("Africa/Cairo", (await app.WithDbAsync(db => db.Users.SingleAsync())).TimeZoneId);
    }
}
