using System.Text;

namespace Cistrat.Learning.Core.Tests.Content;

/// <summary>A content folder in a temporary directory, built file by file, deleted at the end of the test.</summary>
internal sealed class ContentFolder : IDisposable
{
    public const string Svg = """<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>""";

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"cistrat-content-{Guid.NewGuid():N}");

    public ContentFolder() => Directory.CreateDirectory(Root);

    public ContentFolder Write(string path, string text)
    {
        var full = FullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return this;
    }

    public string Read(string path) => File.ReadAllText(FullPath(path));

    public byte[] ReadBytes(string path) => File.ReadAllBytes(FullPath(path));

    public void Delete(string path)
    {
        var full = FullPath(path);
        if (Directory.Exists(full))
            Directory.Delete(full, recursive: true);
        else
            File.Delete(full);
    }

    public void Move(string from, string to)
    {
        var target = FullPath(to);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (Directory.Exists(FullPath(from)))
            Directory.Move(FullPath(from), target);
        else
            File.Move(FullPath(from), target);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    /// <summary>
    /// Course "demo": modules 01-basics (lessons first, second) and 02-advanced (third, fourth), a glossary,
    /// French and Arabic translations, and an image used by the fourth lesson.
    /// </summary>
    public ContentFolder WithDemoCourse(string folder = "demo", string? slug = null)
    {
        Write($"{folder}/course.yml", CourseYml(slug: slug));
        Write($"{folder}/glossary.md", "## Terms\n\n- **Model**: a simplified picture of a system.\n");
        Write($"{folder}/01-basics/module.md", Module("Basics", "You met the *basics*."));
        Write($"{folder}/01-basics/01-first.md", Lesson("First lesson", "## Why it matters\n\nOne two three four five.", objectives: ["Name the parts.", "Explain the cycle."]));
        Write($"{folder}/01-basics/02-second.md", Lesson("Second lesson", "## Second\n\nText of the second lesson."));
        Write($"{folder}/02-advanced/module.md", Module("Advanced"));
        Write($"{folder}/02-advanced/01-third.md", Lesson("Third lesson", "## Third\n\nMore text."));
        Write($"{folder}/02-advanced/02-fourth.md", Lesson("Fourth lesson", "## Fourth\n\n![The policy cycle](images/cycle.svg)\n"));
        Write($"{folder}/02-advanced/images/cycle.svg", Svg);
        return this;
    }

    public static string CourseYml(string title = "Demo course", string? slug = null, string hours = "6", string translations = DefaultTranslations) =>
        (slug is null ? "" : $"slug: {slug}\n") + $"""
        title: {title}
        summary: A short course used by the tests.
        language: en
        licence: CC-BY-4.0
        authors: [Ada Lovelace, Grace Hopper]
        hours: {hours}
        themes: [ai, data]

        """ + translations;

    public const string DefaultTranslations = """
        translations:
          fr: { title: Cours de démonstration, summary: Un cours pour les tests. }
          ar:
            title: دورة تجريبية
            summary: دورة قصيرة للاختبارات.

        """;

    public static string Module(string title, string summary = "What the module covered.") =>
        $"---\ntitle: {title}\n---\n{summary}\n";

    public static string Lesson(string title, string body = "Some lesson text.", string? slug = null, int minutes = 20, string[]? objectives = null)
    {
        var text = new StringBuilder("---\n");
        text.Append("title: ").Append(title).Append('\n');
        if (slug is not null)
            text.Append("slug: ").Append(slug).Append('\n');
        text.Append("minutes: ").Append(minutes).Append('\n');
        text.Append("objectives:\n");
        foreach (var objective in objectives ?? ["Do one thing."])
            text.Append("  - ").Append(objective).Append('\n');
        text.Append("---\n").Append(body).Append('\n');
        return text.ToString();
    }

    private string FullPath(string path) => Path.Combine(Root, path);
}
