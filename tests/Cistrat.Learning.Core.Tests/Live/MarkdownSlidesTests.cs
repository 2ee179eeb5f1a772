using System.Text;
using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Tests.Content;

namespace Cistrat.Learning.Core.Tests.Live;

public sealed class MarkdownSlidesTests : IDisposable
{
    private const string File = "demo/slides/01-intro.md";
    private readonly ContentFolder _content = new();

    public MarkdownSlidesTests()
    {
        _content.Write("demo/slides/images/cycle.svg", ContentFolder.Svg);
    }

    public void Dispose() => _content.Dispose();

    [Fact]
    public void Parse_SplitsSlides_OnLinesThatAreExactlyThreeDashes()
    {
        var deck = Parse("## One\n\nFirst.\n---\n## Two\n\nSecond.\n--- \r\n## Three\n\n ---\n\n----\n\nStill three.");

        Assert.Equal(3, deck.SlidesHtml.Count);
        Assert.Contains("<h2 id=\"one\">One</h2>", deck.SlidesHtml[0], StringComparison.Ordinal);
        Assert.Contains("<p>First.</p>", deck.SlidesHtml[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Second", deck.SlidesHtml[0], StringComparison.Ordinal);
        Assert.Contains("<p>Second.</p>", deck.SlidesHtml[1], StringComparison.Ordinal);
        // An indented '---' and a '----' are Markdown's own business (a rule), not slide breaks.
        Assert.Contains("<hr", deck.SlidesHtml[2], StringComparison.Ordinal);
        Assert.Contains("Still three.", deck.SlidesHtml[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeepsThreeDashesInsideFencedCode_OnTheSameSlide()
    {
        var deck = Parse("""
            ## YAML front matter looks like this

            ```yaml
            ---
            title: Example
            ---
            ```

            ---
            ## Tildes too

            ~~~~
            ---
            ~~~
            ---
            ~~~~

            ---
            ## Last
            """);

        Assert.Equal(3, deck.SlidesHtml.Count);
        Assert.Contains("---\ntitle: Example\n---", deck.SlidesHtml[0], StringComparison.Ordinal);
        // A shorter fence inside a longer one does not close it.
        Assert.Contains("---\n~~~\n---", deck.SlidesHtml[1], StringComparison.Ordinal);
        Assert.Contains("Last", deck.SlidesHtml[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WarnsAboutAnUnclosedFence_WhichRunsToTheEnd()
    {
        var deck = Parse("## One\n\n```\ncode\n---\nmore code");

        var slide = Assert.Single(deck.SlidesHtml);
        Assert.Contains("more code", slide, StringComparison.Ordinal);
        AssertIssue(deck, 3, "code block not closed", ContentIssueSeverity.Warning);
    }

    [Fact]
    public void Parse_ReadsTheTitle_FromFrontMatter_AndKeepsTheFilesLineNumbers()
    {
        var deck = Parse("---\ntitle: \"Open science: the basics\"\n---\n## One\n---\n## Two\n\n<script>alert(1)</script>\n");

        Assert.Equal("Open science: the basics", deck.Title);
        Assert.Equal(2, deck.SlidesHtml.Count);
        AssertIssue(deck, 8, "unsafe HTML removed: <script>", ContentIssueSeverity.Error);
    }

    [Fact]
    public void Parse_WithoutFrontMatter_TakesTheTitle_FromTheFirstHeading_ThenFromTheFileName()
    {
        Assert.Equal("Data and *models*", Parse("Intro text.\n\n## Data and \\*models\\*\n---\n## Other").Title);
        Assert.Equal("Open science basics", MarkdownSlides.Parse("Just text.", _content.Root, "demo/slides/03-open-science-basics.md").Title);
    }

    [Fact]
    public void Parse_RemovesScriptsAndEventHandlers_AsInLessons()
    {
        var deck = Parse("""
            ## Safe

            <script>document.cookie</script>

            <img src="images/cycle.svg" alt="The cycle" onerror="alert(1)">

            [Click](javascript:alert(2)) and <a href="https://example.org" onclick="steal()">a site</a>.
            """);

        var html = Assert.Single(deck.SlidesHtml);
        Assert.DoesNotContain("script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cookie", html, StringComparison.Ordinal);
        Assert.DoesNotContain("onerror", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert", html, StringComparison.Ordinal);
        Assert.Contains("<img src=\"/course-files/demo/slides/images/cycle.svg\" alt=\"The cycle\">", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.org\">a site</a>", html, StringComparison.Ordinal);
        AssertIssue(deck, 3, "unsafe HTML removed: <script>", ContentIssueSeverity.Error);
        AssertIssue(deck, 5, "unsafe HTML removed: event handler attribute onerror on <img>", ContentIssueSeverity.Error);
        AssertIssue(deck, 7, "unsafe link removed: javascript: URL", ContentIssueSeverity.Error);
    }

    [Fact]
    public void Parse_ReportsAMissingImage_AtItsLine()
    {
        var deck = Parse("## One\n---\n## Two\n\n![A chart](images/missing.png)");

        AssertIssue(deck, 5, "missing image images/missing.png", ContentIssueSeverity.Error);
    }

    [Fact]
    public void Parse_IgnoresEmptySlides_WarningOnlyAboutOnesBetweenOthers()
    {
        var deck = Parse("---\ntitle: Deck\n---\n---\n## One\n---\n\n---\n## Two\n---\n");

        Assert.Equal(2, deck.SlidesHtml.Count);
        var warning = Assert.Single(deck.Issues);
        Assert.Equal((8, ContentIssueSeverity.Warning), (warning.Line, warning.Severity));
        Assert.StartsWith("empty slide ignored", warning.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AcceptsTheMaximumNumberOfSlides()
    {
        var deck = Parse(Slides(MarkdownSlides.MaxSlides));

        Assert.Equal(MarkdownSlides.MaxSlides, deck.SlidesHtml.Count);
        Assert.Contains("Slide 200", deck.SlidesHtml[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Throws_WithMoreThanTheMaximumNumberOfSlides_NamingWhereSlide201Starts()
    {
        var e = Assert.Throws<SlideDeckException>(() => Parse(Slides(MarkdownSlides.MaxSlides + 1)));

        Assert.Equal($"{File}:401: the deck has 201 slides; at most 200 are allowed", e.Message);
        Assert.Equal((File, 401), (e.File, e.Line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\n")]
    [InlineData("---\ntitle: Only a title\n---\n")]
    [InlineData("---\ntitle: Only separators\n---\n---\n\n---\n")]
    public void Parse_Throws_WhenTheDeckHasNoSlides(string markdown)
    {
        var e = Assert.Throws<SlideDeckException>(() => Parse(markdown));

        Assert.StartsWith($"{File}: the deck has no slides", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("---\ntitle: [unclosed\n---\n## One", 2, "invalid YAML")]
    [InlineData("---\ntitle: Deck\n## One\n", 1, "front matter not closed")]
    [InlineData("---\n## One\n---\n## Two\n", 1, "front matter without 'title'")]
    [InlineData("---\n- a\n- b\n---\n## One\n", 2, "invalid YAML: expected 'field: value' lines")]
    [InlineData("---\ntitle:\n  nested: map\n---\n## One\n", 3, "field 'title' must be text")]
    public void Parse_Throws_OnBadFrontMatter_NamingTheFileAndLine(string markdown, int line, string reason)
    {
        var e = Assert.Throws<SlideDeckException>(() => Parse(markdown));

        Assert.StartsWith($"{File}:{line}: {reason}", e.Message, StringComparison.Ordinal);
        Assert.Equal((File, line), (e.File, e.Line));
    }

    [Fact]
    public void Parse_Throws_OnATitleLongerThan300Characters()
    {
        var e = Assert.Throws<SlideDeckException>(() => Parse($"---\ntitle: {new string('x', 301)}\n---\n## One"));

        Assert.Equal($"{File}:2: field 'title' is longer than 300 characters", e.Message);
    }

    [Fact]
    public void Parse_WarnsAboutUnknownFrontMatterFields()
    {
        var deck = Parse("---\ntitle: Deck\ntheme: dark\n---\n## One");

        AssertIssue(deck, 3, "unknown field 'theme'", ContentIssueSeverity.Warning);
    }

    [Fact]
    public void Load_ReadsTheFile_WithWindowsLineEndingsAndAByteOrderMark()
    {
        _content.Write(File, "\uFEFF---\r\ntitle: From disk\r\n---\r\n## One\r\n---\r\n## Two\r\n");

        var deck = MarkdownSlides.Load(_content.Root, File);

        Assert.Equal("From disk", deck.Title);
        Assert.Equal(2, deck.SlidesHtml.Count);
        Assert.Empty(deck.Issues);
    }

    [Fact]
    public void Load_Throws_WhenTheFileIsMissing_OrTooLarge()
    {
        var missing = Assert.Throws<SlideDeckException>(() => MarkdownSlides.Load(_content.Root, "demo/slides/09-none.md"));
        Assert.Equal("demo/slides/09-none.md: the deck file does not exist", missing.Message);

        _content.Write(File, "## Big\n\n" + new string('a', MarkdownSlides.MaxBytes));
        var large = Assert.Throws<SlideDeckException>(() => MarkdownSlides.Load(_content.Root, File));
        Assert.Equal($"{File}: the deck file is larger than 1024 KB", large.Message);
    }

    private SlideDeck Parse(string markdown) => MarkdownSlides.Parse(markdown, _content.Root, File);

    /// <summary>Slides "Slide 1" ... "Slide n", two lines each: slide k starts on line 2k - 1.</summary>
    private static string Slides(int count)
    {
        var text = new StringBuilder();
        for (var i = 1; i <= count; i++)
            text.Append(i == 1 ? "" : "---\n").Append("Slide ").Append(i).Append('\n');
        return text.ToString();
    }

    private static void AssertIssue(SlideDeck deck, int line, string reasonStart, ContentIssueSeverity severity) =>
        Assert.True(
            deck.Issues.Any(i => i.File == File && i.Line == line && i.Severity == severity && i.Reason.StartsWith(reasonStart, StringComparison.Ordinal)),
            $"Expected a {severity} at {File}:{line} starting with \"{reasonStart}\"; got:\n{string.Join('\n', deck.Issues.Select(i => $"{i} [{i.Severity}]"))}");
}
