namespace Cistrat.Learning.Web.Tests.Infrastructure;

/// <summary>A small course written to a temporary content folder, so tests do not depend on the real courses' text.</summary>
public static class TestContent
{
    public const string CourseSlug = "test-course";
    public const string CourseTitle = "Testing innovation policy";

    public static readonly string[] LessonSlugs = ["first-steps", "second-steps", "third-steps", "fourth-steps"];

    public static string Write(string root)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "README.md"), "# Test content\n");
        var course = Path.Combine(root, CourseSlug);
        Directory.CreateDirectory(course);
        File.WriteAllText(Path.Combine(course, "course.yml"), $$"""
            slug: {{CourseSlug}}
            title: {{CourseTitle}}
            summary: A short course used by the integration tests.
            language: en
            licence: CC-BY-4.0
            authors: [Test authors]
            hours: 3
            themes: [sti-policy]
            translations:
              fr: { title: "Tester la politique d'innovation", summary: "Un petit cours pour les tests." }
            """);
        for (var m = 1; m <= 2; m++)
        {
            var module = Path.Combine(course, $"0{m}-module-{m}");
            Directory.CreateDirectory(module);
            File.WriteAllText(Path.Combine(module, "module.md"), $"---\ntitle: Module number {m}\n---\nSummary of module {m}.\n");
            for (var l = 1; l <= 2; l++)
            {
                var slug = LessonSlugs[((m - 1) * 2) + l - 1];
                File.WriteAllText(Path.Combine(module, $"0{l}-{slug}.md"), $"""
                    ---
                    title: Lesson {slug}
                    minutes: 10
                    objectives:
                      - Understand {slug}.
                    ---
                    ## Introduction to {slug}

                    Body text of the lesson {slug}, unique-marker-{slug}.
                    """);
            }
        }

        return root;
    }
}
