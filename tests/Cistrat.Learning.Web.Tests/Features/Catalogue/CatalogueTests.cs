using Cistrat.Learning.Web.Tests.Infrastructure;

namespace Cistrat.Learning.Web.Tests.Features.Catalogue;

public sealed class CatalogueTests(LearningAppFactory app) : IClassFixture<LearningAppFactory>
{
    [Fact]
    public async Task Catalogue_ListsCourses_AndFiltersBySearchAndTheme()
    {
        using var browser = new TestBrowser(app);
        var all = await browser.GetPageAsync("/");
        Assert.Contains(TestContent.CourseTitle, all.Body!.TextContent, StringComparison.Ordinal);
        var none = await browser.GetPageAsync("/?q=photosynthesis");
        Assert.DoesNotContain(TestContent.CourseTitle, none.Body!.TextContent, StringComparison.Ordinal);
        var byTheme = await browser.GetPageAsync("/?theme=sti-policy&q=innovation");
        Assert.Contains(TestContent.CourseTitle, byTheme.Body!.TextContent, StringComparison.Ordinal);
        var otherTheme = await browser.GetPageAsync("/?theme=ai");
        Assert.DoesNotContain(TestContent.CourseTitle, otherTheme.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CoursePage_ShowsOutline_WithoutLessonLinks_ForVisitors()
    {
        using var browser = new TestBrowser(app);
        var page = await browser.GetPageAsync("/courses/" + TestContent.CourseSlug);
        Assert.Contains("Module 1: Module number 1", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Lesson fourth-steps", page.Body.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(page.QuerySelectorAll("a"), a => a.GetAttribute("href")?.Contains("/lessons/", StringComparison.Ordinal) == true);
        await browser.GetPageAsync("/courses/no-such-course", System.Net.HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Catalogue_SpeaksFrench_AndArabicRightToLeft()
    {
        using var browser = new TestBrowser(app);
        browser.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr-FR");
        var french = await browser.GetPageAsync("/");
        Assert.Equal("fr", french.DocumentElement.GetAttribute("lang"));
        Assert.Contains("Catalogue des cours", french.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Tester la politique d'innovation", french.Body.TextContent, StringComparison.Ordinal);

        using var arabic = new TestBrowser(app);
        arabic.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ar");
        var page = await arabic.GetPageAsync("/");
        Assert.Equal("rtl", page.DocumentElement.GetAttribute("dir"));
        Assert.Equal("ar", page.DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task LanguagePicker_RemembersTheChoice_AndRefusesAPostWithoutItsToken()
    {
        using var browser = new TestBrowser(app);
        var switched = await browser.PostFormAsync("/", new Dictionary<string, string> { ["culture"] = "fr", ["returnUrl"] = "/courses/" + TestContent.CourseSlug }, "/language");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal("/courses/" + TestContent.CourseSlug, switched.Headers.Location!.OriginalString);
        Assert.Equal("fr", (await browser.GetPageAsync("/")).DocumentElement.GetAttribute("lang"));

        var offSite = await browser.PostFormAsync("/", new Dictionary<string, string> { ["culture"] = "ar", ["returnUrl"] = "//evil.example/" }, "/language");
        Assert.Equal("/", offSite.Headers.Location!.OriginalString);
        var unknown = await browser.PostFormAsync("/", new Dictionary<string, string> { ["culture"] = "xx", ["returnUrl"] = "/" }, "/language");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);

        using var forger = new TestBrowser(app);
        var forged = await forger.Client.PostAsync(new Uri("/language", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "ar", ["returnUrl"] = "/" }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, forged.StatusCode);
    }
}
