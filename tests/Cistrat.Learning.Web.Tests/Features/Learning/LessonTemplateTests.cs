using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Features.Learning;

/// <summary>The same app with lesson templates off: every page rendered by Razor and compressed by the middleware.</summary>
public sealed class RazorOnlyAppFactory : LearningAppFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Learning:PageTemplates", "false");
    }
}

/// <remarks>
/// Templates live as long as the app, across tests: the comparisons with Razor use lessons 0 and 1, each scenario in a
/// form (lesson, state, language, roles) of its own, so their first request records the template; the other tests
/// use lessons 2 and 3.
/// </remarks>
public sealed partial class LessonTemplateTests(LearningAppFactory app, RazorOnlyAppFactory razor)
    : IClassFixture<LearningAppFactory>, IClassFixture<RazorOnlyAppFactory>, IAsyncLifetime
{
    private const string Course = "/courses/" + TestContent.CourseSlug;
    private const string FixedToken = "FIXED-TOKEN";

    private static readonly HtmlParser Parser = new();

    public async ValueTask InitializeAsync()
    {
        await app.ResetAsync();
        await razor.ResetAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string LessonUrl(int index) => $"{Course}/lessons/{TestContent.LessonSlugs[index]}";

    [GeneratedRegex("(<input name=\"__RequestVerificationToken\" type=\"hidden\" value=\")([^\"]*)(\")")]
    private static partial Regex TokenField();

    public static TheoryData<string> Scenarios() => ["to-do", "done", "staff", "french", "arabic", "query"];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task LessonFromTemplate_EqualsRazorRendering(string scenario)
    {
        var (url, check) = Scenario(scenario);
        using var templated = await ArrangeAsync(app, scenario);
        using var rendered = await ArrangeAsync(razor, scenario);

        var first = await FetchAsync(templated, url);
        var second = await FetchAsync(templated, url);
        var expected = await FetchAsync(rendered, url);

        Assert.Equal("gzip", first.ContentEncoding);
        Assert.Equal("gzip", second.ContentEncoding);
        Assert.Equal(WithFixedTokens(expected.Html), WithFixedTokens(first.Html));
        Assert.Equal(WithFixedTokens(expected.Html), WithFixedTokens(second.Html));
        // The request token of one browser is remembered (Infrastructure/Security/SignInCache): the same in both.
        Assert.Equal(Tokens(first.Html)[0], Tokens(second.Html)[0]);
        check(await Parser.ParseDocumentAsync(second.Html));
    }

    private static (string Url, Action<IHtmlDocument> Check) Scenario(string name) => name switch
    {
        "to-do" => (LessonUrl(0), page =>
        {
            Assert.Contains("Course: 1 of 4 lessons done", Meta(page), StringComparison.Ordinal);
            Assert.Equal("true", page.QuerySelector("#done-form input[name=done]")!.GetAttribute("value"));
        }),
        "done" => (LessonUrl(1), page =>
        {
            Assert.Contains("Course: 2 of 4 lessons done", Meta(page), StringComparison.Ordinal);
            Assert.Contains("You marked this lesson as done.", page.QuerySelector("#done-form")!.TextContent, StringComparison.Ordinal);
        }),
        "staff" => (LessonUrl(0), page =>
        {
            Assert.Null(page.QuerySelector("#done-form"));
            Assert.DoesNotContain("lessons done", Meta(page), StringComparison.Ordinal);
            Assert.NotNull(page.QuerySelector("a[href='/cohorts']"));
        }),
        "french" => (LessonUrl(0), page =>
        {
            Assert.Equal("fr", page.DocumentElement.GetAttribute("lang"));
            Assert.Contains("Cours : 1 sur 4 leçons terminées", Meta(page), StringComparison.Ordinal);
        }),
        "arabic" => (LessonUrl(0), page =>
        {
            Assert.Equal("ar", page.DocumentElement.GetAttribute("lang"));
            Assert.Equal("rtl", page.DocumentElement.GetAttribute("dir"));
            Assert.Contains("الدورة: أُنجز 2 من 4 من الدروس", Meta(page), StringComparison.Ordinal);
            Assert.Contains("حدّدت هذا الدرس كمكتمل.", page.QuerySelector("#done-form")!.TextContent, StringComparison.Ordinal);
        }),
        "query" => (LessonUrl(1) + "?from=<b>\"&'x'&q=é中🎓", page =>
            Assert.Equal(
                new Uri(new Uri("https://localhost"), LessonUrl(1) + "?from=<b>\"&'x'&q=é中🎓").PathAndQuery,
                page.QuerySelector("footer input[name=returnUrl]")!.GetAttribute("value"))),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The same person in the same state in <paramref name="on"/>, without opening a lesson page.</summary>
    private static async Task<TestBrowser> ArrangeAsync(LearningAppFactory on, string scenario)
    {
        var browser = new TestBrowser(on);
        var email = $"{scenario}@example.org";
        if (scenario == "staff")
        {
            var staffId = await browser.SignUpAsAsync(email, Roles.Coordinator);
            await TestCohorts.CreateAsync(on, staff: [(staffId, StaffRole.Coordinator)]);
            return browser;
        }

        await EnrolAsync(on, browser, email);
        switch (scenario)
        {
            case "to-do":
                await MarkDoneAsync(browser, 2);
                break;
            case "done":
                await MarkDoneAsync(browser, 1);
                await MarkDoneAsync(browser, 3);
                break;
            case "french":
                await MarkDoneAsync(browser, 2);
                await ChooseLanguageAsync(browser, "fr");
                break;
            case "arabic":
                await MarkDoneAsync(browser, 0);
                await MarkDoneAsync(browser, 3);
                await ChooseLanguageAsync(browser, "ar");
                break;
        }

        return browser;
    }

    [Fact]
    public async Task TwoTrainees_SeeTheirOwnProgress_OnTheSameTemplate()
    {
        using var ahead = new TestBrowser(app);
        using var behind = new TestBrowser(app);
        var cohortId = await EnrolAsync(app, ahead, "ahead@example.org");
        await EnrolAsync(app, behind, "behind@example.org", cohortId);
        await MarkDoneAsync(ahead, 0);
        await MarkDoneAsync(ahead, 1);

        var aheadPage = await FetchAsync(ahead, LessonUrl(3));
        var behindPage = await FetchAsync(behind, LessonUrl(3));
        var aheadAgain = await FetchAsync(ahead, LessonUrl(3));

        Assert.Contains("Course: 2 of 4 lessons done", Meta(await Parser.ParseDocumentAsync(aheadPage.Html)), StringComparison.Ordinal);
        Assert.Contains("Course: 0 of 4 lessons done", Meta(await Parser.ParseDocumentAsync(behindPage.Html)), StringComparison.Ordinal);
        Assert.Contains("Course: 2 of 4 lessons done", Meta(await Parser.ParseDocumentAsync(aheadAgain.Html)), StringComparison.Ordinal);
        Assert.Equal(WithFixedTokens(behindPage.Html).Replace("0 of 4", "2 of 4", StringComparison.Ordinal), WithFixedTokens(aheadPage.Html));
    }

    [Fact]
    public async Task TokenFromTemplatePage_IsAccepted_AndDoneShowsOnNextView()
    {
        using var recorder = new TestBrowser(app);
        using var trainee = new TestBrowser(app);
        var cohortId = await EnrolAsync(app, recorder, "recorder@example.org");
        await EnrolAsync(app, trainee, "reader@example.org", cohortId);
        var recorded = await FetchAsync(recorder, LessonUrl(2));

        await FetchAsync(trainee, LessonUrl(2));
        var before = await FetchAsync(trainee, LessonUrl(2));
        var token = Tokens(before.Html)[0];
        Assert.NotEqual(Tokens(recorded.Html)[0], token);
        Assert.Contains("Course: 0 of 4 lessons done", Meta(await Parser.ParseDocumentAsync(before.Html)), StringComparison.Ordinal);

        var forged = await PostAsync(trainee, LessonUrl(2) + "?handler=Done", new() { ["done"] = "true", ["__RequestVerificationToken"] = Tokens(recorded.Html)[0] });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var done = await PostAsync(trainee, LessonUrl(2) + "?handler=Done", new() { ["done"] = "true", ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.EndsWith(LessonUrl(3), done.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var after = await Parser.ParseDocumentAsync((await FetchAsync(trainee, LessonUrl(2))).Html);
        Assert.Contains("Course: 1 of 4 lessons done", Meta(after), StringComparison.Ordinal);
        Assert.Contains("You marked this lesson as done.", after.QuerySelector("#done-form")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fr")]
    [InlineData("ar")]
    public async Task PositionPosted_IsTheResumePosition_OnNextView(string language)
    {
        using var trainee = new TestBrowser(app);
        await EnrolAsync(app, trainee, $"scroller-{language}@example.org");
        if (language != "en")
            await ChooseLanguageAsync(trainee, language);
        await FetchAsync(trainee, LessonUrl(3));
        var page = await FetchAsync(trainee, LessonUrl(3));
        Assert.Equal("0", Position(await Parser.ParseDocumentAsync(page.Html)));

        var saved = await PostAsync(trainee, LessonUrl(3) + "?handler=Position", new() { ["position"] = "0.375", ["__RequestVerificationToken"] = Tokens(page.Html)[0] });
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        var next = await FetchAsync(trainee, LessonUrl(3));
        Assert.Equal("0.375", Position(await Parser.ParseDocumentAsync(next.Html)));
        Assert.Equal(0.375, await app.WithDbAsync(db => db.LessonProgress.Select(p => p.Position).SingleAsync()));
    }

    [Fact]
    public async Task Gzip_IsSentWithItsLength_AndVariesByAcceptEncoding()
    {
        using var trainee = new TestBrowser(app);
        await EnrolAsync(app, trainee, "gzip@example.org");
        await FetchAsync(trainee, LessonUrl(3));

        var gzip = await FetchAsync(trainee, LessonUrl(3), "gzip");

        Assert.Equal("gzip", gzip.ContentEncoding);
        Assert.Equal(gzip.Raw.Length, gzip.ContentLength);
        Assert.Contains("Accept-Encoding", gzip.Vary);
        Assert.True(gzip.Raw.Length < Encoding.UTF8.GetByteCount(gzip.Html), $"{gzip.Raw.Length} bytes sent for a page of {gzip.Html.Length} characters");
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("gzip;q=0")]
    [InlineData("gzip;q=0, identity")]
    [InlineData(null)]
    public async Task NoGzip_IsPlain_AndTheSamePage(string? acceptEncoding)
    {
        using var trainee = new TestBrowser(app);
        await EnrolAsync(app, trainee, "plain@example.org");
        var gzip = await FetchAsync(trainee, LessonUrl(3), "gzip");

        var plain = await FetchAsync(trainee, LessonUrl(3), acceptEncoding);

        Assert.Equal("", plain.ContentEncoding);
        Assert.Equal(plain.Raw.Length, plain.ContentLength);
        Assert.StartsWith("<!DOCTYPE html>", Encoding.UTF8.GetString(plain.Raw), StringComparison.Ordinal);
        Assert.Equal(WithFixedTokens(gzip.Html), WithFixedTokens(plain.Html));
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip;q=0, *")]
    public async Task Brotli_IsLeftToTheMiddleware_AndTheSamePage(string acceptEncoding)
    {
        using var trainee = new TestBrowser(app);
        await EnrolAsync(app, trainee, "brotli@example.org");
        var gzip = await FetchAsync(trainee, LessonUrl(3), "gzip");

        var brotli = await FetchAsync(trainee, LessonUrl(3), acceptEncoding);

        Assert.Equal("br", brotli.ContentEncoding);
        Assert.Equal(WithFixedTokens(gzip.Html), WithFixedTokens(brotli.Html));
    }

    [Fact]
    public async Task TempDataMessage_IsShownOnce_ThenTheTemplateServesAgain()
    {
        using var staff = new TestBrowser(app);
        var staffId = await staff.SignUpAsAsync("lecturer@example.org", Roles.Lecturer);
        await TestCohorts.CreateAsync(app, staff: [(staffId, StaffRole.Lecturer)]);
        await FetchAsync(staff, LessonUrl(2));
        var page = await FetchAsync(staff, LessonUrl(2));

        var refused = await PostAsync(staff, LessonUrl(2) + "?handler=Done", new() { ["done"] = "true", ["__RequestVerificationToken"] = Tokens(page.Html)[0] });
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.EndsWith(LessonUrl(2), refused.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var withMessage = await Parser.ParseDocumentAsync((await FetchAsync(staff, LessonUrl(2))).Html);
        Assert.Equal("Progress is kept for enrolled trainees only.", withMessage.QuerySelector(".flash-error")?.TextContent);
        var after = await FetchAsync(staff, LessonUrl(2));
        Assert.Null((await Parser.ParseDocumentAsync(after.Html)).QuerySelector(".flash-error"));
        Assert.Equal(WithFixedTokens(page.Html), WithFixedTokens(after.Html));
        Assert.Equal(0, await app.WithDbAsync(db => db.LessonProgress.CountAsync()));
    }

    [Fact]
    public async Task TemplatePage_IsNotCached_AndIsUtf8Html()
    {
        using var trainee = new TestBrowser(app);
        await EnrolAsync(app, trainee, "headers@example.org");
        await FetchAsync(trainee, LessonUrl(3));

        var page = await FetchAsync(trainee, LessonUrl(3));

        Assert.Equal("gzip", page.ContentEncoding);
        Assert.True(page.CacheControl is { NoCache: true, NoStore: true }, $"Cache-Control: {page.CacheControl}");
        Assert.Equal("text/html; charset=utf-8", page.ContentType);
    }

    private static async Task<int> EnrolAsync(LearningAppFactory on, TestBrowser browser, string email, int? cohortId = null)
    {
        var cohort = cohortId ?? await TestCohorts.CreateAsync(on);
        await browser.RegisterAsync(email);
        var enrol = await browser.PostFormAsync(Course, new Dictionary<string, string> { ["cohortId"] = cohort.ToString(System.Globalization.CultureInfo.InvariantCulture) }, Course + "?handler=Enrol");
        Assert.Equal(HttpStatusCode.Redirect, enrol.StatusCode);
        // The course page shows the enrolment message, which would otherwise send the next lesson view through Razor.
        await browser.GetPageAsync(enrol.Headers.Location!.OriginalString);
        return cohort;
    }

    /// <summary>Marks a lesson done with the token of another page, so no lesson page (and no template) is involved.</summary>
    private static async Task MarkDoneAsync(TestBrowser browser, int lesson)
    {
        var done = await browser.PostFormAsync("/dashboard", new Dictionary<string, string> { ["done"] = "true" }, LessonUrl(lesson) + "?handler=Done");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
    }

    private static async Task ChooseLanguageAsync(TestBrowser browser, string culture)
    {
        var chosen = await browser.PostFormAsync("/dashboard", new Dictionary<string, string> { ["culture"] = culture, ["returnUrl"] = "/dashboard" }, "/language");
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostAsync(TestBrowser browser, string url, Dictionary<string, string> form) =>
        await browser.Client.PostAsync(new Uri(url, UriKind.Relative), new FormUrlEncodedContent(form));

    private sealed record Fetched(
        string Html,
        byte[] Raw,
        string ContentEncoding,
        long? ContentLength,
        string? ContentType,
        string[] Vary,
        System.Net.Http.Headers.CacheControlHeaderValue? CacheControl);

    private static async Task<Fetched> FetchAsync(TestBrowser browser, string url, string? acceptEncoding = "gzip")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        if (acceptEncoding is not null)
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        using var response = await browser.Client.SendAsync(request);
        var raw = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {response.Headers.Location}");
        var encoding = string.Join(", ", response.Content.Headers.ContentEncoding);
        var body = encoding switch
        {
            "" => raw,
            "gzip" => Decompress(new GZipStream(new MemoryStream(raw), CompressionMode.Decompress)),
            "br" => Decompress(new BrotliStream(new MemoryStream(raw), CompressionMode.Decompress)),
            _ => throw new InvalidOperationException($"Unexpected Content-Encoding: {encoding}"),
        };
        return new Fetched(
            Encoding.UTF8.GetString(body),
            raw,
            encoding,
            response.Content.Headers.ContentLength,
            response.Content.Headers.ContentType?.ToString(),
            [.. response.Headers.Vary],
            response.Headers.CacheControl);
    }

    private static byte[] Decompress(Stream decompressing)
    {
        using (decompressing)
        {
            using var output = new MemoryStream();
            decompressing.CopyTo(output);
            return output.ToArray();
        }
    }

    /// <summary>The page's antiforgery tokens, checked to be one and the same in all its forms.</summary>
    private static string[] Tokens(string html)
    {
        var tokens = TokenField().Matches(html).Select(m => m.Groups[2].Value).ToArray();
        Assert.NotEmpty(tokens);
        Assert.All(tokens, t => Assert.Equal(tokens[0], t));
        Assert.DoesNotContain(FixedToken, tokens);
        return tokens;
    }

    private static string WithFixedTokens(string html)
    {
        Assert.NotEmpty(Tokens(html));
        return TokenField().Replace(html, "${1}" + FixedToken + "${3}");
    }

    private static string Meta(IHtmlDocument page) => page.QuerySelector("article.lesson p.meta")!.TextContent;

    private static string? Position(IHtmlDocument page) => page.QuerySelector("script[src^='/js/lesson']")?.GetAttribute("data-position");
}
