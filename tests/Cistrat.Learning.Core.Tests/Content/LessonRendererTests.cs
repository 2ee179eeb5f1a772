using Cistrat.Learning.Core.Content;

namespace Cistrat.Learning.Core.Tests.Content;

public sealed class LessonRendererTests : IDisposable
{
    private const string File = "demo/01-basics/01-first.md";
    private readonly ContentFolder _content = new();
    private readonly IssueLog _issues = new();

    public LessonRendererTests()
    {
        _content.Write("demo/01-basics/images/cycle.svg", ContentFolder.Svg);
        _content.Write("demo/01-basics/files/template.pdf", "%PDF-1.4");
        _content.Write("demo/02-data/images/flow.png", "png");
    }

    public void Dispose() => _content.Dispose();

    [Fact]
    public void Render_RemovesScriptBlock_AndReportsItsLine()
    {
        var html = Render("Intro.\n\n<script>\nalert('x');\n</script>\n\nAfter.");

        AssertIssue(3, "unsafe HTML removed: <script>", ContentIssueSeverity.Error);
        Assert.DoesNotContain("script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert", html, StringComparison.Ordinal);
        Assert.Contains("<p>After.</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RemovesInlineScript_AndReportsItsLine()
    {
        var html = Render("First line.\nSecond <script>alert(1)</script> line.");

        AssertIssue(2, "unsafe HTML removed: <script>", ContentIssueSeverity.Error);
        Assert.Equal("<p>First line.\nSecond  line.</p>", html.Trim());
    }

    [Fact]
    public void Render_RemovesEventHandlerAndStyleAttributes_KeepingTheText()
    {
        var html = Render("Text <span onclick=\"steal()\">kept</span>.\n\n<div style=\"position:fixed\">\nAlso kept\n</div>");

        AssertIssue(1, "unsafe HTML removed: event handler attribute onclick on <span>", ContentIssueSeverity.Error);
        AssertIssue(3, "unsafe HTML removed: style attribute on <div>", ContentIssueSeverity.Error);
        Assert.DoesNotContain("onclick", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style", html, StringComparison.Ordinal);
        Assert.Contains("<span>kept</span>", html, StringComparison.Ordinal);
        Assert.Contains("Also kept", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<iframe src=\"https://example.org\"></iframe>", "iframe")]
    [InlineData("<form action=\"https://example.org\"><input name=\"q\"></form>", "form")]
    [InlineData("<object data=\"x.swf\"></object>", "object")]
    public void Render_RemovesFramesFormsAndObjects(string raw, string tag)
    {
        var html = Render($"Before.\n\n{raw}\n");

        AssertIssue(3, $"unsafe HTML removed: <{tag}>", ContentIssueSeverity.Error);
        Assert.Equal("<p>Before.</p>", html.Trim());
    }

    [Fact]
    public void Render_RemovesJavascriptLinks_InMarkdownAndHtml_KeepingTheirText()
    {
        var html = Render("[Click me](javascript:alert(1))\n\n<a href=\" jav&#x09;ascript:alert(2)\">Or me</a>\n");

        AssertIssue(1, "unsafe link removed: javascript: URL", ContentIssueSeverity.Error);
        AssertIssue(3, "unsafe link removed: javascript: URL", ContentIssueSeverity.Error);
        Assert.DoesNotContain("javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Click me", html, StringComparison.Ordinal);
        Assert.Contains("Or me", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mailto:someone@example.org")]
    [InlineData("data:text/html,hello")]
    [InlineData("ftp://example.org/file.pdf")]
    public void Render_RemovesLinksWithOtherSchemes(string url)
    {
        var html = Render($"[Target]({url})");

        Assert.Single(_issues.Items, i => i.Line == 1 && i.Severity == ContentIssueSeverity.Error);
        Assert.Equal("<p>Target</p>", html.Trim());
    }

    [Fact]
    public void Render_KeepsHttpAndHttpsLinks_AndAnchors()
    {
        var html = Render("[A](https://www.unesco.org/en) [B](http://example.org/x?y=1) [C](#key-terms)");

        Assert.Empty(_issues.Items);
        Assert.Contains("href=\"https://www.unesco.org/en\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"http://example.org/x?y=1\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#key-terms\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RewritesRelativeImageAndFileLinks_UnderTheCourseFilesPath()
    {
        var html = Render("![The policy cycle](images/cycle.svg)\n\n[Template (PDF)](./files/template.pdf#page=2)\n\n![Data flow](../02-data/images/flow.png)");

        Assert.Empty(_issues.Items);
        Assert.Contains("<img src=\"/course-files/demo/01-basics/images/cycle.svg\" alt=\"The policy cycle\">", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/course-files/demo/01-basics/files/template.pdf#page=2\">Template (PDF)</a>", html, StringComparison.Ordinal);
        Assert.Contains("src=\"/course-files/demo/02-data/images/flow.png\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EscapesFolderAndFileNamesInRewrittenLinks()
    {
        _content.Write("cours été/01-données/images/carte du monde.svg", ContentFolder.Svg);
        var renderer = new LessonRenderer(_content.Root);

        var html = renderer.Render("![Map](<images/carte du monde.svg>)", "cours été/01-données/01-x.md", _issues).Html;

        Assert.Empty(_issues.Items);
        Assert.Contains("src=\"/course-files/cours%20%C3%A9t%C3%A9/01-donn%C3%A9es/images/carte%20du%20monde.svg\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ReportsMissingImage_AndStillRewritesTheLink()
    {
        var html = Render("Text.\n\n![A chart](images/chart.svg)");

        AssertIssue(3, "missing image images/chart.svg", ContentIssueSeverity.Error);
        Assert.Contains("src=\"/course-files/demo/01-basics/images/chart.svg\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ReportsMissingFile()
    {
        Render("[Data](files/data.csv)");

        AssertIssue(1, "missing file files/data.csv", ContentIssueSeverity.Error);
    }

    [Theory]
    [InlineData("![Diagram](images/diagram.bmp)", "image 'images/diagram.bmp' removed: type '.bmp' is not allowed")]
    [InlineData("[Run it](files/setup.exe)", "file 'files/setup.exe' removed: type '.exe' is not allowed")]
    [InlineData("[Next lesson](02-second.md)", "file '02-second.md' removed: type '.md' is not allowed")]
    [InlineData("[Secrets](../../other/files/x.pdf)", "file '../../other/files/x.pdf' removed: it points outside the course folder 'demo'")]
    public void Render_RemovesLinksToFilesThatAreNotAllowed(string markdown, string reason)
    {
        var html = Render(markdown);

        AssertIssue(1, reason, ContentIssueSeverity.Error);
        Assert.DoesNotContain("href", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WarnsAboutImagesWithoutAltText_InMarkdownAndHtml()
    {
        var html = Render("![](images/cycle.svg)\n\n<img src=\"images/cycle.svg\">\n");

        AssertIssue(1, "image without alt text: images/cycle.svg", ContentIssueSeverity.Warning);
        AssertIssue(3, "image without alt text", ContentIssueSeverity.Warning);
        Assert.Equal(2, html.Split("src=\"/course-files/demo/01-basics/images/cycle.svg\"").Length - 1);
    }

    [Fact]
    public void Render_GivesHeadingsIds_AndShowsLevelOneHeadingsAsLevelTwo()
    {
        var html = Render("# Big title\n\n## Key terms\n\n### Apply it to your country");

        AssertIssue(1, "level-1 heading", ContentIssueSeverity.Warning);
        Assert.Equal("<h2 id=\"big-title\">Big title</h2>\n<h2 id=\"key-terms\">Key terms</h2>\n<h3 id=\"apply-it-to-your-country\">Apply it to your country</h3>", html.Trim());
    }

    [Fact]
    public void Render_RendersPipeTables_WithAlignAttributesInsteadOfStyle()
    {
        var html = Render("| Country | Share |\n|:--|--:|\n| Kenya | 0.8 |");

        Assert.Empty(_issues.Items);
        Assert.Contains("<th align=\"left\">Country</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td align=\"right\">0.8</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_KeepsFootnotes_AndEmphasisExtras()
    {
        var html = Render("Spending rose.[^1] H~2~O and x^2^ and ~~old~~.\n\n[^1]: UNESCO Institute for Statistics, 2024.");

        Assert.Empty(_issues.Items);
        Assert.Contains("<a id=\"fnref:1\" href=\"#fn:1\" class=\"footnote-ref\"><sup>1</sup></a>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"footnotes\">", html, StringComparison.Ordinal);
        Assert.Contains("<li id=\"fn:1\">", html, StringComparison.Ordinal);
        Assert.Contains("H<sub>2</sub>O", html, StringComparison.Ordinal);
        Assert.Contains("x<sup>2</sup>", html, StringComparison.Ordinal);
        Assert.Contains("<del>old</del>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DropsIdsAndClassesThatAreNotForAnchorsOrFootnotes()
    {
        var html = Render("<p id=\"login\" class=\"btn\">Hello</p>\n\n```csharp\nvar x = 1;\n```");

        Assert.Equal("<p>Hello</p>\n<pre><code>var x = 1;\n</code></pre>", html.Trim());
    }

    [Fact]
    public void Render_RewritesRelativeLinksInRawHtml()
    {
        var html = Render("<figure>\n<img src=\"images/cycle.svg\" alt=\"Cycle\">\n<figcaption>The cycle</figcaption>\n</figure>");

        Assert.Empty(_issues.Items);
        Assert.Contains("<img src=\"/course-files/demo/01-basics/images/cycle.svg\" alt=\"Cycle\">", html, StringComparison.Ordinal);
        Assert.Contains("<figcaption>The cycle</figcaption>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UnwrapsUnsupportedHarmlessTags_WithAWarning()
    {
        var html = Render("Press <kbd>Enter</kbd> now.");

        AssertIssue(1, "HTML tag <kbd> is not allowed", ContentIssueSeverity.Warning);
        Assert.Equal("<p>Press Enter now.</p>", html.Trim());
    }

    [Fact]
    public void Render_CountsTheWordsOfTheText()
    {
        var result = new LessonRenderer(_content.Root).Render("## Two words\n\nThree more words — and ***emphasis***.\n\n- 2024 data", File, _issues);

        Assert.Equal(9, result.WordCount);
    }

    private string Render(string markdown) => new LessonRenderer(_content.Root).Render(markdown, File, _issues).Html;

    private void AssertIssue(int line, string reasonStart, ContentIssueSeverity severity) =>
        Assert.True(
            _issues.Items.Any(i => i.File == File && i.Line == line && i.Severity == severity && i.Reason.StartsWith(reasonStart, StringComparison.Ordinal)),
            $"Expected a {severity} at {File}:{line} starting with \"{reasonStart}\"; got:\n{string.Join('\n', _issues.Items.Select(i => $"{i} [{i.Severity}]"))}");
}
