using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Cistrat.Learning.Core.Content;

/// <summary>
/// Reads <c>content/</c> (layout in <c>content/README.md</c>) into plain source records and a list of issues.
/// Touches no database. A problem in one file never stops the others from being read: the broken item is left
/// out, and when it exists on disk but cannot be read, its slug is recorded so that the stored copy is kept.
/// </summary>
internal sealed partial class ContentReader
{
    // Column sizes of Data/Configurations.cs: longer values are reported here rather than failing the save.
    private const int SlugMax = 100, TitleMax = 300, SummaryMax = 2000, LanguageMax = 10, LicenceMax = 50,
        AuthorsMax = 500, ThemesMax = 200, ObjectivesMax = 4000;

    private static readonly string[] CourseFields = ["slug", "title", "summary", "language", "licence", "authors", "hours", "themes", "translations"];
    private static readonly string[] ModuleFields = ["title", "slug"];
    private static readonly string[] LessonFields = ["title", "slug", "minutes", "objectives"];
    private static readonly string[] TranslationFields = ["title", "summary"];

    /// <summary>The catalogue filters listed in content/README.md.</summary>
    private static readonly HashSet<string> KnownThemes = new(StringComparer.Ordinal)
    {
        "ai", "digital-transformation", "sti-policy", "open-science", "innovation-systems", "data",
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _root;
    private readonly LessonRenderer _renderer;
    private readonly IssueLog _issues = new();

    private ContentReader(string root)
    {
        _root = root;
        _renderer = new LessonRenderer(root);
    }

    /// <exception cref="DirectoryNotFoundException">The content root does not exist (which must not read as "every course was removed").</exception>
    public static Task<ContentSnapshot> ReadAsync(string contentRoot, CancellationToken ct = default)
    {
        var root = Path.GetFullPath(contentRoot);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The content folder '{root}' does not exist.");
        return new ContentReader(root).ReadAllAsync(ct);
    }

    private async Task<ContentSnapshot> ReadAllAsync(CancellationToken ct)
    {
        foreach (var name in Names(Directory.EnumerateFiles(_root)))
        {
            if (name is not ("README.md" or "LICENSE.md"))
                _issues.Warning(name, 0, "file ignored: the content folder holds course folders, README.md and LICENSE.md");
        }

        var courses = new List<CourseSource>();
        var unreadable = new HashSet<string>(StringComparer.Ordinal);
        var slugOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in Names(Directory.EnumerateDirectories(_root)))
        {
            ct.ThrowIfCancellationRequested();
            if (!File.Exists(Path.Combine(_root, folder, "course.yml")))
            {
                _issues.Warning(folder, 0, "folder ignored: it has no course.yml");
                continue;
            }

            if (await ReadCourseAsync(folder, slugOwners, unreadable, ct) is { } course)
                courses.Add(course);
        }

        return new ContentSnapshot(courses, unreadable, _issues.Items);
    }

    private async Task<CourseSource?> ReadCourseAsync(string folder, Dictionary<string, string> slugOwners, HashSet<string> unreadable, CancellationToken ct)
    {
        var file = $"{folder}/course.yml";
        if (await ReadTextAsync(file, ct) is not { } text)
        {
            unreadable.Add(folder);
            return null;
        }

        if (YamlFields.Parse(text, file, lineOffset: 0, missingFieldLine: 0, _issues) is not { } fields)
        {
            Keep(unreadable, folder, YamlFields.ScanSlug(text));
            _issues.Error(file, 0, "course skipped: course.yml could not be read");
            return null;
        }

        fields.WarnUnknown(CourseFields);
        var slug = ReadSlug(fields, folder, file);
        var title = fields.Text("title", required: true, TitleMax);
        var summary = fields.Text("summary", required: true, SummaryMax);
        var language = ReadLanguage(fields, file);
        var licence = fields.Text("licence", required: true, LicenceMax);
        var hours = fields.PositiveNumber("hours", required: true);
        var authors = ReadJoinedList(fields, file, "authors", ", ", AuthorsMax);
        var themes = ReadThemes(fields, file);
        if (slug is null || title is null || summary is null || language is null || licence is null || hours is null || authors is null || themes is null)
        {
            Keep(unreadable, folder, slug ?? YamlFields.ScanSlug(text));
            _issues.Error(file, 0, "course skipped: course.yml has errors");
            return null;
        }

        // Stored with one decimal; rounding here keeps a second import from seeing a change that is not there.
        if (decimal.Round(hours.Value, 1, MidpointRounding.AwayFromZero) is var rounded && rounded != hours.Value)
        {
            _issues.Warning(file, fields.LineOf("hours"), $"hours rounded to {rounded.ToString(CultureInfo.InvariantCulture)}: one decimal is kept");
            hours = rounded;
        }

        if (slugOwners.TryGetValue(slug, out var owner))
        {
            _issues.Error(file, LineOfWrittenSlug(fields), $"duplicate course slug '{slug}': {owner} already uses it; this course is skipped");
            return null;
        }

        slugOwners[slug] = file;
        var translations = ReadTranslations(fields, file, language);
        var glossary = await ReadGlossaryAsync(folder, ct);

        var modules = new List<ModuleSource>();
        var unreadableModules = new HashSet<string>(StringComparer.Ordinal);
        var unreadableLessons = new HashSet<string>(StringComparer.Ordinal);
        var unreadableQuizzes = new HashSet<string>(StringComparer.Ordinal);
        var moduleOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        var lessonOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        WarnAboutStrayCourseFiles(folder);
        var position = 0;
        foreach (var (moduleFolder, moduleSlug) in Numbered(folder, Directory.EnumerateDirectories(Path.Combine(_root, folder)), extension: null, "module folders are named NN-<slug>", "images", "files", "slides"))
        {
            position++;
            var module = await ReadModuleAsync(folder, moduleFolder, moduleSlug, position, moduleOwners, lessonOwners, unreadableModules, unreadableLessons, unreadableQuizzes, ct);
            if (module is not null)
                modules.Add(module);
        }

        await ReadQuizzesAsync(folder, modules, lessonOwners, unreadableQuizzes, ct);
        return new CourseSource(folder, slug, title, summary, language, licence, authors, hours.Value, themes, translations, glossary,
            modules, unreadableModules, unreadableLessons, unreadableQuizzes);
    }

    /// <summary>
    /// Reads each module's quiz files once all lessons of the course are known, since a question may point to a
    /// lesson of any module. Adds the slugs of quizzes that could not be read, whose stored version stays, to <paramref name="unreadable"/>.
    /// </summary>
    private async Task ReadQuizzesAsync(string courseFolder, List<ModuleSource> modules, Dictionary<string, string> lessonOwners, HashSet<string> unreadable, CancellationToken ct)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new QuizReader(_renderer, _issues);
        var position = 0;
        foreach (var module in modules)
        {
            var directory = Path.Combine(_root, courseFolder, module.FolderName);
            var files = Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>()
                .Where(QuizReader.IsQuizFile).OrderBy(QuizReader.NumberOf).ToList();
            foreach (var name in files)
            {
                var file = $"{courseFolder}/{module.FolderName}/{name}";
                var fallback = QuizReader.DefaultSlug(module.Slug, name);
                var bytes = await ReadBytesAsync(file, ct);
                if (bytes is null || reader.Read(file, bytes, fallback, ++position) is not { } quiz)
                {
                    // Whatever slug the broken file names, the stored quiz it stands for stays in use.
                    unreadable.Add(fallback);
                    if (bytes is not null && YamlFields.ScanSlug(System.Text.Encoding.UTF8.GetString(bytes)) is { } written)
                        unreadable.Add(written);
                    continue;
                }

                var unknown = quiz.LessonReferences.Where(r => !lessonOwners.ContainsKey(r.LessonSlug)).ToList();
                foreach (var (lesson, line) in unknown)
                    _issues.Error(file, line, $"lesson '{lesson}' does not exist in this course");
                if (owners.TryGetValue(quiz.Slug, out var owner))
                {
                    _issues.Error(file, 0, $"duplicate quiz slug '{quiz.Slug}': {owner} already uses it; this quiz is skipped");
                    continue;
                }

                owners[quiz.Slug] = file;
                if (unknown.Count > 0)
                {
                    _issues.Error(file, 0, "quiz skipped: it has errors (a stored earlier version stays in use)");
                    unreadable.Add(quiz.Slug);
                    continue;
                }

                module.Quizzes.Add(quiz);
            }
        }
    }

    private async Task<ModuleSource?> ReadModuleAsync(
        string courseFolder, string moduleFolder, string folderSlug, int position,
        Dictionary<string, string> moduleOwners, Dictionary<string, string> lessonOwners,
        HashSet<string> unreadableModules, HashSet<string> unreadableLessons, HashSet<string> unreadableQuizzes, CancellationToken ct)
    {
        var folderPath = $"{courseFolder}/{moduleFolder}";
        var file = $"{folderPath}/module.md";
        string? slug = null, title = null, summaryHtml = null, scannedSlug = null;
        var duplicate = false;
        if (!File.Exists(Path.Combine(_root, courseFolder, moduleFolder, "module.md")))
        {
            _issues.Error(folderPath, 0, "missing module.md: the module and its lessons are skipped");
        }
        else if (await ReadTextAsync(file, ct) is { } text)
        {
            var frontMatter = SplitFrontMatter(text, file, "module");
            scannedSlug = frontMatter.Yaml is null ? null : YamlFields.ScanSlug(frontMatter.Yaml);
            if (frontMatter.Yaml is not null
                && YamlFields.Parse(frontMatter.Yaml, file, FrontMatter.YamlLineOffset, missingFieldLine: 1, _issues) is { } fields)
            {
                fields.WarnUnknown(ModuleFields);
                slug = ReadSlug(fields, folderSlug, file);
                title = fields.Text("title", required: true, TitleMax);
                if (slug is not null && moduleOwners.TryGetValue(slug, out var owner))
                {
                    _issues.Error(file, LineOfWrittenSlug(fields), $"duplicate module slug '{slug}': {owner} already uses it; this module and its lessons are skipped");
                    duplicate = true;
                }
            }

            if (frontMatter.Problem == FrontMatterProblem.None)
            {
                var rendered = _renderer.Render(frontMatter.Body, file, _issues);
                summaryHtml = rendered.Html;
                if (rendered.WordCount == 0)
                    _issues.Warning(file, 0, "the module summary is empty");
            }
        }

        var usable = slug is not null && title is not null && summaryHtml is not null && !duplicate;
        if (usable)
        {
            moduleOwners[slug!] = file;
        }
        else if (!duplicate)
        {
            Keep(unreadableModules, folderSlug, slug ?? scannedSlug);
            // Its quizzes are not read either, and stay as stored, like its lessons.
            foreach (var quizFile in Directory.EnumerateFiles(Path.Combine(_root, courseFolder, moduleFolder)).Select(Path.GetFileName).OfType<string>().Where(QuizReader.IsQuizFile))
            {
                foreach (var moduleSlugCandidate in new[] { folderSlug, slug ?? scannedSlug }.OfType<string>())
                    unreadableQuizzes.Add(QuizReader.DefaultSlug(moduleSlugCandidate, quizFile));
                if (YamlFields.ScanSlug(File.ReadAllText(Path.Combine(_root, courseFolder, moduleFolder, quizFile))) is { } written)
                    unreadableQuizzes.Add(written);
            }
            if (File.Exists(Path.Combine(_root, courseFolder, moduleFolder, "module.md")))
                _issues.Error(file, 0, "module skipped, with its lessons: module.md has errors");
        }

        var lessons = new List<LessonSource>();
        var lessonPosition = 0;
        var moduleDirectory = Path.Combine(_root, courseFolder, moduleFolder);
        foreach (var (lessonFile, lessonSlug) in Numbered(folderPath, Directory.EnumerateFiles(moduleDirectory), ".md", "lesson files are named NN-<slug>.md", "module.md", "README.md"))
        {
            lessonPosition++;
            // The lessons of a skipped module are still read, for their issues, but must not claim slugs.
            var owners = usable ? lessonOwners : new Dictionary<string, string>(lessonOwners, StringComparer.Ordinal);
            var lesson = await ReadLessonAsync($"{folderPath}/{lessonFile}", lessonSlug, lessonPosition, owners, unreadableLessons, ct);
            if (lesson is not null)
                lessons.Add(lesson);
        }

        if (!usable)
        {
            // Whatever an earlier import stored for these lessons stays as it was.
            foreach (var lesson in lessons)
                unreadableLessons.Add(lesson.Slug);
            return null;
        }

        if (lessons.Count == 0)
            _issues.Warning(folderPath, 0, "the module has no lessons");
        return new ModuleSource(moduleFolder, slug!, title!, position, summaryHtml!, lessons);
    }

    private async Task<LessonSource?> ReadLessonAsync(
        string file, string fileSlug, int position, Dictionary<string, string> owners, HashSet<string> unreadable, CancellationToken ct)
    {
        if (await ReadBytesAsync(file, ct) is not { } bytes)
        {
            unreadable.Add(fileSlug);
            return null;
        }

        var text = Decode(bytes, file);
        var frontMatter = SplitFrontMatter(text, file, "lesson");
        if (frontMatter.Yaml is null
            || YamlFields.Parse(frontMatter.Yaml, file, FrontMatter.YamlLineOffset, missingFieldLine: 1, _issues) is not { } fields)
        {
            Keep(unreadable, fileSlug, frontMatter.Yaml is null ? null : YamlFields.ScanSlug(frontMatter.Yaml));
            _issues.Error(file, 0, "lesson skipped: its front matter could not be read");
            return null;
        }

        fields.WarnUnknown(LessonFields);
        var slug = ReadSlug(fields, fileSlug, file);
        var title = fields.Text("title", required: true, TitleMax);
        var minutes = fields.Integer("minutes", min: 0);
        if (!fields.Has("minutes"))
            _issues.Warning(file, 1, "missing field 'minutes' (estimated reading and exercise time)");
        var objectives = fields.TextList("objectives") ?? [];
        if (objectives.Count == 0)
            _issues.Warning(file, 1, "the lesson has no learning objectives");
        if (objectives.Sum(o => o.Length + 1) > ObjectivesMax)
        {
            _issues.Error(file, fields.LineOf("objectives"), $"the objectives are longer than {ObjectivesMax} characters in all");
            title = null;
        }

        if (slug is null || title is null)
        {
            Keep(unreadable, fileSlug, slug);
            _issues.Error(file, 0, "lesson skipped: its front matter has errors");
            return null;
        }

        if (owners.TryGetValue(slug, out var owner))
        {
            _issues.Error(file, LineOfWrittenSlug(fields), $"duplicate lesson slug '{slug}': {owner} already uses it; this lesson is skipped");
            return null;
        }

        owners[slug] = file;
        var rendered = _renderer.Render(frontMatter.Body, file, _issues);
        if (rendered.WordCount == 0)
            _issues.Warning(file, 0, "the lesson has no text");
        return new LessonSource(file, slug, title, position, minutes ?? 0, objectives, rendered.Html, rendered.WordCount,
            Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private async Task<GlossarySource> ReadGlossaryAsync(string folder, CancellationToken ct)
    {
        var file = $"{folder}/glossary.md";
        if (!File.Exists(Path.Combine(_root, folder, "glossary.md")))
            return new GlossarySource(null, Unreadable: false);
        if (await ReadTextAsync(file, ct) is not { } text)
            return new GlossarySource(null, Unreadable: true);
        return new GlossarySource(_renderer.Render(text, file, _issues).Html, Unreadable: false);
    }

    private FrontMatter SplitFrontMatter(string text, string file, string what)
    {
        var frontMatter = FrontMatter.Split(text);
        switch (frontMatter.Problem)
        {
            case FrontMatterProblem.Missing:
                _issues.Error(file, 1, $"missing front matter: a {what} file starts with a '---' line, its fields (title: ...), and another '---' line");
                break;
            case FrontMatterProblem.Unclosed:
                _issues.Error(file, 1, "front matter not closed: no second '---' line after the fields");
                break;
        }

        return frontMatter;
    }

    private string? ReadSlug(YamlFields fields, string fallback, string file)
    {
        var written = fields.Text("slug", required: false, int.MaxValue);
        var slug = written ?? fallback;
        if (slug.Length <= SlugMax && SlugPattern().IsMatch(slug))
            return slug;
        var origin = written is null ? " (taken from the folder or file name; or name one with 'slug:')" : "";
        _issues.Error(file, written is null ? 0 : fields.LineOf("slug"),
            $"invalid slug '{slug}'{origin}: use at most {SlugMax} lower-case letters, digits and single '-'");
        return null;
    }

    private static int LineOfWrittenSlug(YamlFields fields) => fields.Has("slug") ? fields.LineOf("slug") : 0;

    private string? ReadLanguage(YamlFields fields, string file)
    {
        var language = fields.Text("language", required: true, LanguageMax);
        if (language is null || LanguagePattern().IsMatch(language))
            return language;
        _issues.Error(file, fields.LineOf("language"), $"language '{language}' is not a BCP 47 tag such as en, fr or pt-BR");
        return null;
    }

    private List<string>? ReadJoinedList(YamlFields fields, string file, string key, string separator, int max)
    {
        var items = fields.TextList(key)?.ToList() ?? [];
        if (string.Join(separator, items).Length <= max)
            return items;
        _issues.Error(file, fields.LineOf(key), $"field '{key}' is longer than {max} characters in all");
        return null;
    }

    private List<string>? ReadThemes(YamlFields fields, string file)
    {
        if (ReadJoinedList(fields, file, "themes", " ", ThemesMax) is not { } themes)
            return null;
        foreach (var theme in themes.Where(t => !KnownThemes.Contains(t)))
            _issues.Warning(file, fields.LineOf("themes"), $"unknown theme '{theme}' (known: {string.Join(", ", KnownThemes)})");
        return themes.Where(t => !t.Contains(' ', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
    }

    private List<TranslationSource> ReadTranslations(YamlFields fields, string file, string courseLanguage)
    {
        var translations = new List<TranslationSource>();
        if (fields.Mapping("translations") is not { } map)
            return translations;
        foreach (var (key, value) in map.Children)
        {
            var language = (key as YamlDotNet.RepresentationModel.YamlScalarNode)?.Value ?? "";
            var line = fields.LineOf(key);
            if (language.Length > LanguageMax || !LanguagePattern().IsMatch(language))
            {
                _issues.Error(file, line, $"translation skipped: '{language}' is not a BCP 47 language tag");
                continue;
            }

            if (value is not YamlDotNet.RepresentationModel.YamlMappingNode entry)
            {
                _issues.Error(file, line, $"translation '{language}' skipped: it needs title and summary fields");
                continue;
            }

            if (string.Equals(language, courseLanguage, StringComparison.OrdinalIgnoreCase))
            {
                _issues.Warning(file, line, $"translation '{language}' ignored: it is the course's own language");
                continue;
            }

            var nested = fields.Nested(entry);
            nested.WarnUnknown(TranslationFields);
            var title = nested.Text("title", required: true, TitleMax);
            var summary = nested.Text("summary", required: true, SummaryMax);
            if (title is null || summary is null)
                _issues.Error(file, line, $"translation '{language}' skipped");
            else
                translations.Add(new TranslationSource(language, title, summary));
        }

        return translations;
    }

    private void WarnAboutStrayCourseFiles(string folder)
    {
        foreach (var name in Names(Directory.EnumerateFiles(Path.Combine(_root, folder))))
        {
            if (name is "course.yml" or "glossary.md" or "README.md")
                continue;
            if (name.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
                || name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
                _issues.Warning($"{folder}/{name}", 0, "file ignored: a course folder holds course.yml, glossary.md and module folders");
        }
    }

    /// <summary>
    /// The entries named <c>NN-&lt;slug&gt;</c> (plus <paramref name="extension"/> for files; null for folders), ordered by
    /// their number, with the slug part of their names. Other entries are reported unless listed in <paramref name="expected"/>;
    /// files with another extension are not looked at.
    /// </summary>
    private List<(string Name, string Slug)> Numbered(string parent, IEnumerable<string> paths, string? extension, string rule, params string[] expected)
    {
        var numbered = new List<(long Number, string Name, string Slug)>();
        foreach (var name in Names(paths))
        {
            if (extension is not null && !name.EndsWith(extension, StringComparison.Ordinal))
                continue;
            var stem = extension is null ? name : name[..^extension.Length];
            var match = NumberedName().Match(stem);
            if (match.Success && !expected.Contains(name, StringComparer.Ordinal))
            {
                var number = long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
                numbered.Add((number, name, match.Groups[2].Value));
            }
            else if (!expected.Contains(name, StringComparer.Ordinal))
            {
                _issues.Warning($"{parent}/{name}", 0, $"ignored: {rule}");
            }
        }

        return numbered.OrderBy(e => e.Number).ThenBy(e => e.Name, StringComparer.Ordinal).Select(e => (e.Name, e.Slug)).ToList();
    }

    private async Task<byte[]?> ReadBytesAsync(string file, CancellationToken ct)
    {
        try
        {
            return await File.ReadAllBytesAsync(Path.Combine(_root, file), ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _issues.Error(file, 0, $"could not read the file: {e.Message}");
            return null;
        }
    }

    private async Task<string?> ReadTextAsync(string file, CancellationToken ct) =>
        await ReadBytesAsync(file, ct) is { } bytes ? Decode(bytes, file) : null;

    private string Decode(byte[] bytes, string file)
    {
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        try
        {
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            _issues.Warning(file, 0, "the file is not valid UTF-8; the characters that are not show as \uFFFD");
            return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
        }
    }

    private static void Keep(HashSet<string> slugs, params string?[] candidates)
    {
        foreach (var slug in candidates)
        {
            if (!string.IsNullOrEmpty(slug))
                slugs.Add(slug);
        }
    }

    /// <summary>File or folder names, hidden ones (".git", ".DS_Store") left out, in ordinal order.</summary>
    private static IEnumerable<string> Names(IEnumerable<string> paths) =>
        paths.Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal);

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguagePattern();

    [GeneratedRegex(@"^(\d+)-(.+)$")]
    private static partial Regex NumberedName();
}
