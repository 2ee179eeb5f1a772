using Cistrat.Learning.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Journeys;

/// <summary>A visitor reads the site in Arabic on a phone: the whole page turns right-to-left and fits the screen.</summary>
[Collection(BrowserJourneys.Name)]
public sealed class ArabicInterfaceJourney(LearningSite site, JourneyScreenshots<ArabicInterfaceJourney> screenshots)
    : IClassFixture<JourneyScreenshots<ArabicInterfaceJourney>>
{
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    [Fact]
    public async Task Visitor_SwitchesTheInterfaceToArabic_AndTheCatalogueLaysOutRightToLeftOnAPhone()
    {
        await using var context = await site.VisitorAsync(Phone, isMobile: true);
        var page = await context.NewPageAsync();
        var html = page.Locator("html");

        await page.GotoAsync("/");
        await Expect(html).ToHaveAttributeAsync("lang", "en");
        await Expect(html).ToHaveAttributeAsync("dir", "ltr");
        await screenshots.TakeAsync(page, "catalogue-in-english");

        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "العربية" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();

        await Expect(html).ToHaveAttributeAsync("dir", "rtl");
        await Expect(html).ToHaveAttributeAsync("lang", "ar");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "دليل الدورات", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("اللغة", new() { Exact = true })).ToHaveValueAsync("ar");
        Assert.Equal("rtl", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).direction"));
        await ExpectNoSidewaysScrollingAsync(page);
        await screenshots.TakeAsync(page, "catalogue-in-arabic-on-a-phone");

        // The course's own Arabic title and summary, from its translations in content/.
        await page.GetByRole(AriaRole.Link, new() { Name = "بناء القدرات في مجال الذكاء الاصطناعي للمؤسسات العامة" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "بناء القدرات في مجال الذكاء الاصطناعي للمؤسسات العامة", Level = 1 })).ToBeVisibleAsync();
        await Expect(html).ToHaveAttributeAsync("dir", "rtl");
        await ExpectNoSidewaysScrollingAsync(page);
        await screenshots.TakeAsync(page, "course-in-arabic-on-a-phone");
    }

    private static async Task ExpectNoSidewaysScrollingAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"The page is {widths[0]}px wide on a {widths[1]}px screen: it scrolls sideways.");
    }
}
