using System.Text;
using System.Text.RegularExpressions;
using AngleSharp;
using AngleSharp.Dom;
using Ganss.Xss;
using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Cistrat.Learning.Core.Content;

internal sealed record RenderedMarkdown(string Html, int WordCount);

/// <summary>
/// Turns the Markdown of a lesson, module summary or glossary into the sanitised HTML stored in the database.
/// Two passes: the Markdig syntax tree is checked first, where every link and raw HTML fragment still has its
/// line, and problems are reported there; then the rendered HTML goes through HtmlSanitizer with a strict
/// allow-list, which is what actually guarantees safe output.
/// </summary>
internal sealed partial class LessonRenderer(string contentRoot)
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseFootnotes()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .UseEmphasisExtras()
        .Build();

    private static readonly HashSet<string> AllowedTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "img", "strong", "em", "code", "pre", "blockquote",
        "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "hr", "br", "dl", "dt", "dd", "figure", "figcaption",
        "span", "div", "section",
        // What Markdig's emphasis extras produce for ~~, ++ and ==.
        "del", "ins", "mark",
    };

    private static readonly HashSet<string> AllowedAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "href", "title", "src", "alt", "width", "height", "align", "id", "class", "start",
    };

    /// <summary>Markdig's footnote markup is the only use of classes.</summary>
    private static readonly HashSet<string> AllowedClasses = new(StringComparer.Ordinal)
    {
        "footnotes", "footnote-ref", "footnote-back-ref",
    };

    /// <summary>Removed together with their content, which is code, form controls or frames, not text for the reader.</summary>
    private static readonly HashSet<string> UnsafeTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
        "select", "option", "textarea", "link", "meta", "base", "noscript", "template", "svg", "math",
    };

    private static readonly HashSet<string> HeadingTags = new(StringComparer.OrdinalIgnoreCase) { "h2", "h3", "h4", "h5", "h6" };

    /// <param name="markdown">The Markdown with any front matter blanked, so that line numbers are the file's.</param>
    /// <param name="file">The source file relative to the content root ('/' separators): issues name it and relative links resolve against its folder.</param>
    public RenderedMarkdown Render(string markdown, string file, IssueLog issues)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(issues);
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var node in document.Descendants().ToList())
        {
            switch (node)
            {
                case HeadingBlock { Level: 1 } heading:
                    issues.Warning(file, heading.Line + 1, "level-1 heading: sections start at '##' (the lesson title is the page's heading); shown as '##'");
                    heading.Level = 2;
                    break;
                case LinkInline link:
                    CheckLink(link, file, issues);
                    break;
                case AutolinkInline autolink:
                    CheckAutolink(autolink, file, issues);
                    break;
                case HtmlBlock block:
                    CheckRawHtml(block.Lines.ToString(), file, block.Line + 1, issues);
                    break;
                case HtmlInline inline:
                    CheckRawHtml(inline.Tag, file, inline.Line + 1, issues);
                    break;
            }
        }

        return Sanitize(document.ToHtml(Pipeline), file);
    }

    private void CheckLink(LinkInline link, string file, IssueLog issues)
    {
        // Links Markdig computes itself (to heading ids) have no written target to check.
        if (link.GetDynamicUrl is not null)
            return;
        var line = link.Line + 1;
        var written = link.Url ?? "";
        var check = ContentLinks.Check(contentRoot, file, written, link.IsImage);
        if (check.Problem is { } problem)
            issues.Add(file, line, problem, check.Severity);
        if (link.IsImage && string.IsNullOrWhiteSpace(PlainText(link)))
            issues.Warning(file, line, $"image without alt text: {written}");

        if (check.Url is not null)
        {
            link.Url = check.Url;
        }
        else if (link.IsImage)
        {
            link.Remove();
        }
        else
        {
            // The link goes, its text stays.
            link.MoveChildrenAfter(link);
            link.Remove();
        }
    }

    private void CheckAutolink(AutolinkInline autolink, string file, IssueLog issues)
    {
        var url = autolink.IsEmail ? "mailto:" + autolink.Url : autolink.Url;
        var check = ContentLinks.Check(contentRoot, file, url, isImage: false);
        if (check.Problem is { } problem)
            issues.Add(file, autolink.Line + 1, problem, check.Severity);
        if (check.Url is null)
            autolink.ReplaceBy(new LiteralInline(autolink.Url));
        else if (!autolink.IsEmail)
            autolink.Url = check.Url;
    }

    /// <summary>Sanitises one raw HTML fragment on its own, only to learn what the final pass will remove from it.</summary>
    private void CheckRawHtml(string fragment, string file, int line, IssueLog issues)
    {
        var found = new List<(string Reason, ContentIssueSeverity Severity)>();
        var sanitizer = CreateSanitizer(file, (reason, severity) => found.Add((reason, severity)));
        using var dom = sanitizer.SanitizeDom(fragment);
        if (dom.Body is { } body)
        {
            foreach (var image in body.QuerySelectorAll("img").Where(i => string.IsNullOrWhiteSpace(i.GetAttribute("alt"))))
                found.Add(($"image without alt text: {image.GetAttribute("src")}", ContentIssueSeverity.Warning));
        }

        foreach (var (reason, severity) in found.Distinct())
            issues.Add(file, line, reason, severity);
    }

    private RenderedMarkdown Sanitize(string html, string file)
    {
        var sanitizer = CreateSanitizer(file, report: null);
        using var dom = sanitizer.SanitizeDom(html);
        if (dom.Body is not { } body)
            return new RenderedMarkdown("", 0);
        // A paragraph that held only removed HTML would show as an empty gap.
        foreach (var empty in body.QuerySelectorAll("p").Where(p => p.Children.Length == 0 && string.IsNullOrWhiteSpace(p.TextContent)).ToList())
            empty.Remove();
        var safe = body.ChildNodes.ToHtml(sanitizer.OutputFormatter);
        return new RenderedMarkdown(safe, CountWords(body.TextContent));
    }

    /// <param name="report">Receives each removal in the checking pass; null in the final pass, which reports nothing.</param>
    private HtmlSanitizer CreateSanitizer(string file, Action<string, ContentIssueSeverity>? report)
    {
        var sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = AllowedTags,
            AllowedAttributes = AllowedAttributes,
            AllowedClasses = AllowedClasses,
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src" },
            UriListAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
        })
        {
            // Unknown but harmless tags (<b>, <kbd>) lose the tag, not the author's text.
            KeepChildNodes = true,
        };

        sanitizer.RemovingTag += (_, e) =>
        {
            var name = e.Tag.LocalName;
            if (UnsafeTags.Contains(name))
            {
                report?.Invoke(name is "svg" or "math"
                    ? $"inline <{name}> removed: save it as a file under images/ and link it"
                    : $"unsafe HTML removed: <{name}>", ContentIssueSeverity.Error);
                e.Tag.Remove();
                e.Cancel = true;
            }
            else
            {
                report?.Invoke($"HTML tag <{name}> is not allowed and was removed (its text is kept)", ContentIssueSeverity.Warning);
            }
        };

        sanitizer.RemovingAttribute += (_, e) =>
        {
            var name = e.Attribute.Name;
            var tag = e.Tag.LocalName;
            if (name == "style" && tag is ("th" or "td") && TextAlign().Match(e.Attribute.Value) is { Success: true } align)
                e.Tag.SetAttribute("align", align.Groups[1].Value.ToLowerInvariant());
            if (report is null || e.Reason is RemoveReason.NotAllowedUrlValue or RemoveReason.ClassAttributeEmpty or RemoveReason.NotAllowedCssClass)
                return;
            if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
                report($"unsafe HTML removed: event handler attribute {name} on <{tag}>", ContentIssueSeverity.Error);
            else if (name.Equals("style", StringComparison.OrdinalIgnoreCase))
                report($"unsafe HTML removed: style attribute on <{tag}>", ContentIssueSeverity.Error);
            else if (e.Reason == RemoveReason.NotAllowedValue)
                report($"unsafe HTML removed: value of {name} on <{tag}>", ContentIssueSeverity.Error);
            else
                report($"HTML attribute {name} on <{tag}> is not allowed and was removed", ContentIssueSeverity.Warning);
        };

        sanitizer.FilterUrl += (_, e) =>
        {
            var check = ContentLinks.Check(contentRoot, file, e.OriginalUrl, isImage: e.Tag.LocalName == "img");
            if (check.Problem is { } problem)
                report?.Invoke(problem, check.Severity);
            // Never re-allow what HtmlSanitizer itself refused.
            e.SanitizedUrl = e.SanitizedUrl is null ? null : check.Url;
        };

        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement element && element.HasAttribute("id") && !MayHaveId(element))
                element.RemoveAttribute("id");
        };

        return sanitizer;
    }

    /// <summary>Ids serve anchors: headings (Markdig's auto identifiers) and footnote references.</summary>
    private static bool MayHaveId(IElement element)
    {
        var id = element.GetAttribute("id") ?? "";
        return HeadingTags.Contains(element.LocalName)
            || (element.LocalName == "li" && id.StartsWith("fn:", StringComparison.Ordinal))
            || (element.LocalName == "a" && id.StartsWith("fnref:", StringComparison.Ordinal));
    }

    private static string PlainText(ContainerInline container)
    {
        var text = new StringBuilder();
        foreach (var inline in container.Descendants<Inline>())
        {
            if (inline is LiteralInline literal)
                text.Append(literal.Content.ToString());
            else if (inline is CodeInline code)
                text.Append(code.Content);
        }

        return text.ToString();
    }

    /// <summary>Whitespace-separated tokens holding at least one letter or digit, in any script.</summary>
    internal static int CountWords(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Count(t => t.Any(char.IsLetterOrDigit));

    [GeneratedRegex(@"text-align:\s*(left|right|center)", RegexOptions.IgnoreCase)]
    private static partial Regex TextAlign();
}
