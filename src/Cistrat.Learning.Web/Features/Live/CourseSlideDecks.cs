using System.Globalization;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Infrastructure.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cistrat.Learning.Web.Features.Live;

/// <param name="Slug">The deck's file name without its number and extension: <c>01-intro.md</c> is <c>intro</c>.</param>
/// <param name="Title">Plain text: the deck's front matter title, else its first heading.</param>
public sealed record DeckInfo(string Slug, string Title);

/// <summary>
/// The Markdown slide decks of the courses in <c>content/</c>: <c>content/&lt;course folder&gt;/slides/NN-&lt;deck&gt;.md</c>,
/// where the course folder is the one whose course.yml has the course's slug (content/README.md, "Slides").
/// Reads the folder on every call, so an edited deck shows without a restart; a session copies the slides it uses.
/// </summary>
public sealed partial class CourseSlideDecks(DataFolder folder, ILogger<CourseSlideDecks> log)
{
    public const string SlidesFolder = "slides";

    /// <summary>The course's decks in the order of their numbers; decks that do not load are left out and logged.</summary>
    public IReadOnlyList<DeckInfo> ListFor(string courseSlug)
    {
        ArgumentNullException.ThrowIfNull(courseSlug);
        if (CourseFolder(courseSlug) is not { } course)
            return [];
        var decks = new List<DeckInfo>();
        foreach (var (slug, file) in DeckFiles(course))
        {
            try
            {
                decks.Add(new DeckInfo(slug, MarkdownSlides.Load(folder.ContentRoot, file).Title));
            }
            catch (SlideDeckException e)
            {
                log.LogError("Slide deck {File} left out of the list of course {Course}: {Problem}", file, courseSlug, e.Message);
            }
        }

        return decks;
    }

    /// <exception cref="SlideDeckException">No such course or deck, or the deck has errors.</exception>
    public SlideDeck Load(string courseSlug, string deckSlug)
    {
        ArgumentNullException.ThrowIfNull(courseSlug);
        ArgumentNullException.ThrowIfNull(deckSlug);
        var course = CourseFolder(courseSlug)
            ?? throw new SlideDeckException($"There is no course '{courseSlug}' in the content folder.");
        var file = DeckFiles(course).Where(d => d.Slug == deckSlug).Select(d => d.File).FirstOrDefault()
            ?? throw new SlideDeckException($"Course '{courseSlug}' has no slide deck '{deckSlug}' (looked for {course}/{SlidesFolder}/NN-{deckSlug}.md).");
        var deck = MarkdownSlides.Load(folder.ContentRoot, file);
        foreach (var issue in deck.Issues)
        {
            log.Log(issue.Severity == ContentIssueSeverity.Error ? LogLevel.Error : LogLevel.Warning,
                "Slide deck {File}:{Line}: {Reason}", issue.File, issue.Line, issue.Reason);
        }

        return deck;
    }

    /// <summary>The folder (name only) of the course with this slug, or null.</summary>
    private string? CourseFolder(string courseSlug)
    {
        if (!SlugPattern().IsMatch(courseSlug) || !Directory.Exists(folder.ContentRoot))
            return null;
        foreach (var directory in Directory.EnumerateDirectories(folder.ContentRoot).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            var courseYml = Path.Combine(directory, "course.yml");
            if (name.StartsWith('.') || !File.Exists(courseYml))
                continue;
            if ((SlugOf(courseYml) ?? name) == courseSlug)
                return name;
        }

        return null;
    }

    /// <summary>The <c>slug:</c> of a course.yml; null when it names none (the folder name is the slug) or cannot be read.</summary>
    private string? SlugOf(string courseYml)
    {
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(courseYml))
                stream.Load(reader);
            if (stream.Documents.Count > 0
                && stream.Documents[0].RootNode is YamlMappingNode map
                && map.Children.TryGetValue(new YamlScalarNode("slug"), out var value)
                && value is YamlScalarNode { Value: { Length: > 0 } slug })
                return slug.Trim();
        }
        catch (Exception e) when (e is YamlException or IOException or UnauthorizedAccessException)
        {
            // The importer reports a broken course.yml with its line; here the course is simply not found.
            log.LogWarning("Could not read {File} while looking for slide decks: {Problem}", courseYml, e.Message);
        }

        return null;
    }

    /// <summary>The decks of a course folder, ordered by number, as (slug, path relative to the content root).</summary>
    private List<(string Slug, string File)> DeckFiles(string courseFolder)
    {
        var directory = Path.Combine(folder.ContentRoot, courseFolder, SlidesFolder);
        if (!Directory.Exists(directory))
            return [];
        var decks = new List<(long Number, string Name, string Slug)>();
        foreach (var name in Directory.EnumerateFiles(directory, "*.md").Select(Path.GetFileName).OfType<string>())
        {
            var match = DeckName().Match(name);
            if (!match.Success)
            {
                if (name != "README.md")
                    log.LogWarning("Slide deck {File} ignored: decks are named NN-<slug>.md", $"{courseFolder}/{SlidesFolder}/{name}");
                continue;
            }

            var number = long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
            decks.Add((number, name, match.Groups[2].Value));
        }

        var result = new List<(string Slug, string File)>();
        foreach (var deck in decks.OrderBy(d => d.Number).ThenBy(d => d.Name, StringComparer.Ordinal))
        {
            var file = $"{courseFolder}/{SlidesFolder}/{deck.Name}";
            if (result.Any(r => r.Slug == deck.Slug))
                log.LogWarning("Slide deck {File} ignored: an earlier deck of the course has the slug '{Slug}'", file, deck.Slug);
            else
                result.Add((deck.Slug, file));
        }

        return result;
    }

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex(@"^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")]
    private static partial Regex DeckName();
}
