using System.Text;
using Cistrat.Learning.Core.Content;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Cistrat.Learning.Core.Live;

/// <summary>A slide deck ready to show: its title (plain text) and the sanitised HTML of each slide, in order.</summary>
public sealed record SlideDeck(string Title, IReadOnlyList<string> SlidesHtml)
{
    /// <summary>
    /// What rendering reported, as for lessons: warnings, and removed unsafe HTML or broken links (errors that did
    /// not stop the deck, since the HTML is safe without them). Meant for the deck's author and the logs.
    /// </summary>
    public IReadOnlyList<ContentIssue> Issues { get; init; } = [];
}

/// <summary>
/// Reads a Markdown slide deck: optional YAML front matter with a <c>title:</c>, then slides separated by lines that
/// are exactly <c>---</c> (such lines inside fenced code blocks do not count). Each slide goes through the same
/// renderer and sanitiser as lessons (<see cref="LessonRenderer"/>), so a deck can hold nothing a lesson could not.
/// Line numbers in messages are the file's.
/// </summary>
public static class MarkdownSlides
{
    public const int MaxSlides = 200;

    /// <summary>A deck of 200 full slides is far below this; anything larger is a mistake (a pasted data file).</summary>
    public const int MaxBytes = 1024 * 1024;

    public const int TitleMaxLength = 300;

    private static readonly string[] FrontMatterFields = ["title"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and parses the deck file <paramref name="file"/> of the content folder.</summary>
    /// <param name="contentRoot">Full path of the content folder.</param>
    /// <param name="file">The deck, relative to <paramref name="contentRoot"/> with '/' separators, inside a course folder.</param>
    /// <exception cref="SlideDeckException">The file is missing, unreadable, too large, or not a valid deck.</exception>
    public static SlideDeck Load(string contentRoot, string file)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        var path = Path.Combine([Path.GetFullPath(contentRoot), .. file.Split('/')]);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new SlideDeckException(file, 0, "the deck file does not exist");
            if (info.Length > MaxBytes)
                throw new SlideDeckException(file, 0, $"the deck file is larger than {MaxBytes / 1024} KB");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlideDeckException(file, 0, $"could not read the file: {e.Message}");
        }

        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var issues = new List<ContentIssue>();
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            issues.Add(new ContentIssue(file, 0, "the file is not valid UTF-8; the characters that are not show as \uFFFD", ContentIssueSeverity.Warning));
            text = Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
        }

        var deck = Parse(text, contentRoot, file);
        return issues.Count == 0 ? deck : deck with { Issues = [.. issues, .. deck.Issues] };
    }

    /// <param name="markdown">The whole deck file.</param>
    /// <param name="contentRoot">Full path of the content folder: relative images and links resolve against it, as in lessons.</param>
    /// <param name="file">Where the deck is, relative to <paramref name="contentRoot"/> with '/' separators, inside a course
    /// folder (<c>course/slides/01-intro.md</c>): messages name it and relative links resolve against its folder.</param>
    /// <exception cref="SlideDeckException">Bad front matter, no slides, or more than <see cref="MaxSlides"/>.</exception>
    public static SlideDeck Parse(string markdown, string contentRoot, string file)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        // Relative links are checked against the course folder, the first segment of the path.
        if (!file.Contains('/', StringComparison.Ordinal) || file.StartsWith('/') || file.Contains('\\', StringComparison.Ordinal))
            throw new ArgumentException($"'{file}' must be a path relative to the content root, inside a course folder, with '/' separators.", nameof(file));
        if (Encoding.UTF8.GetByteCount(markdown) > MaxBytes)
            throw new SlideDeckException(file, 0, $"the deck is larger than {MaxBytes / 1024} KB");

        var issues = new IssueLog();
        var (title, body) = ReadFrontMatter(markdown, file, issues);
        var slides = Split(body, file, issues);
        if (slides.Count == 0)
            throw new SlideDeckException(file, 0, "the deck has no slides: write the slides in Markdown, separated by lines that are exactly '---'");
        if (slides.Count > MaxSlides)
            throw new SlideDeckException(file, slides[MaxSlides].FirstLine, $"the deck has {slides.Count} slides; at most {MaxSlides} are allowed");

        var renderer = new LessonRenderer(Path.GetFullPath(contentRoot));
        var html = slides
            .Select(s => renderer.Render(new string('\n', s.FirstLine - 1) + s.Text, file, issues).Html.Trim())
            .ToList();
        title ??= FirstHeading(slides[0].Text) ?? TitleFromFileName(file);
        return new SlideDeck(title, html) { Issues = issues.Items.ToList() };
    }

    /// <returns>The front matter's title (null without front matter) and the body, with the front matter lines blanked.</returns>
    private static (string? Title, string Body) ReadFrontMatter(string markdown, string file, IssueLog issues)
    {
        var frontMatter = FrontMatter.Split(markdown);
        switch (frontMatter.Problem)
        {
            case FrontMatterProblem.Missing:
                return (null, markdown);
            case FrontMatterProblem.Unclosed:
                throw new SlideDeckException(file, 1,
                    "front matter not closed: a deck that starts with a '---' line has front matter (title: ...) closed by another '---' line");
        }

        var fields = YamlFields.Parse(frontMatter.Yaml!, file, FrontMatter.YamlLineOffset, missingFieldLine: 1, issues);
        if (fields is null)
            throw FirstError(issues);
        // Without this, a deck opened with a '---' separator would lose its first slide to the front matter.
        if (!fields.Has("title"))
        {
            throw new SlideDeckException(file, 1,
                "front matter without 'title': a deck that starts with a '---' line has front matter (title: ...) closed by another '---' line; start the first slide without a '---' line");
        }

        fields.WarnUnknown(FrontMatterFields);
        var title = fields.Text("title", required: true, TitleMaxLength);
        if (fields.HasErrors || title is null)
            throw FirstError(issues);
        return (title, frontMatter.Body);
    }

    private static SlideDeckException FirstError(IssueLog issues)
    {
        var error = issues.Items.First(i => i.Severity == ContentIssueSeverity.Error);
        return new SlideDeckException(error.File, error.Line, error.Reason);
    }

    /// <summary>The non-empty slides, each with the 1-based file line it starts on.</summary>
    private static List<SlideSource> Split(string body, string file, IssueLog issues)
    {
        var lines = body.Split('\n');
        var slides = new List<SlideSource>();
        var start = 0;
        var fence = default(Fence?);
        var fenceLine = 0;
        for (var i = 0; i <= lines.Length; i++)
        {
            var atEnd = i == lines.Length;
            if (!atEnd)
            {
                var line = lines[i].TrimEnd('\r');
                if (fence is { } open)
                {
                    if (IsClosingFence(line, open))
                        fence = null;
                    continue;
                }

                if (OpeningFence(line) is { } opening)
                {
                    fence = opening;
                    fenceLine = i + 1;
                    continue;
                }

                if (line.TrimEnd(' ', '\t') != "---")
                    continue;
            }

            var text = string.Join('\n', lines[start..i]);
            if (!string.IsNullOrWhiteSpace(text))
                slides.Add(new SlideSource(start + 1, text));
            // A '---' before the first slide or after the last one is harmless; one between two others is a slip.
            else if (start > 0 && !atEnd)
                issues.Warning(file, i + 1, "empty slide ignored: two '---' lines with nothing between them");
            start = i + 1;
        }

        if (fence is not null)
            issues.Warning(file, fenceLine, "code block not closed: it runs to the end of the deck, and no '---' line after it starts a slide");
        return slides;
    }

    /// <summary>A CommonMark code fence: up to three spaces, then three or more backticks or tildes.</summary>
    private static Fence? OpeningFence(string line)
    {
        var indent = line.Length - line.TrimStart(' ').Length;
        if (indent > 3 || indent == line.Length)
            return null;
        var marker = line[indent];
        if (marker is not ('`' or '~'))
            return null;
        var length = 0;
        while (indent + length < line.Length && line[indent + length] == marker)
            length++;
        if (length < 3)
            return null;
        // A backtick fence's info string may not hold backticks (that is inline code instead).
        if (marker == '`' && line.AsSpan(indent + length).Contains('`'))
            return null;
        return new Fence(marker, length);
    }

    private static bool IsClosingFence(string line, Fence open)
    {
        var trimmed = line.TrimStart(' ');
        if (line.Length - trimmed.Length > 3)
            return false;
        var length = 0;
        while (length < trimmed.Length && trimmed[length] == open.Marker)
            length++;
        return length >= open.Length && string.IsNullOrWhiteSpace(trimmed[length..]);
    }

    private static string? FirstHeading(string markdown)
    {
        var heading = Markdown.Parse(markdown).Descendants<HeadingBlock>().FirstOrDefault();
        if (heading?.Inline is null)
            return null;
        var text = new StringBuilder();
        foreach (var inline in heading.Inline.Descendants<Inline>())
        {
            if (inline is LiteralInline literal)
                text.Append(literal.Content.ToString());
            else if (inline is CodeInline code)
                text.Append(code.Content);
        }

        var title = text.ToString().Trim();
        return title.Length == 0 ? null : title.Length <= TitleMaxLength ? title : title[..TitleMaxLength];
    }

    /// <summary>"slides/01-open-science.md" reads as "Open science".</summary>
    private static string TitleFromFileName(string file)
    {
        var stem = Path.GetFileNameWithoutExtension(file.Split('/')[^1]);
        var dash = stem.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && stem[..dash].All(char.IsAsciiDigit))
            stem = stem[(dash + 1)..];
        stem = stem.Replace('-', ' ').Trim();
        return stem.Length == 0 ? "Slides" : char.ToUpperInvariant(stem[0]) + stem[1..];
    }

    private readonly record struct Fence(char Marker, int Length);

    /// <param name="FirstLine">1-based line of the file on which the slide's text starts.</param>
    private sealed record SlideSource(int FirstLine, string Text);
}
