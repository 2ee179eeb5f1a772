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

        File.WriteAllText(Path.Combine(course, "01-module-1", "quiz.yml"), Quiz);
        return root;
    }

    public const string QuizSlug = "module-1-quiz";

    /// <summary>Texts that appear only in the answer key and feedback: they must never be in an open attempt's page.</summary>
    public static readonly string[] SecretTexts = ["Frascati-Manual-Secret", "feedback-secret-q1", "feedback-secret-q2"];

    private const string Quiz = """
        title: Test quiz
        pass_mark: 60
        attempts: 2
        time_limit_minutes: 10
        show_answers: after_submission
        questions:
          - id: q1
            kind: single
            prompt: Which manual measures R&D?
            options:
              - text: The Oslo Manual
              - text: The Frascati Manual
                correct: true
            feedback: feedback-secret-q1
            lesson: first-steps
          - id: q2
            kind: text
            prompt: Name the manual for R&D statistics.
            accepted: [Frascati-Manual-Secret]
            feedback: feedback-secret-q2
          - id: q3
            kind: numeric
            prompt: GERD is 3 and GDP is 600. What is GERD/GDP in percent?
            answer: 0.5
            tolerance: 0.01
        """;

    /// <summary>Form fields that answer every question right.</summary>
    public static Dictionary<string, string> RightAnswers() => new()
    {
        ["shown"] = "q1", ["q.q1"] = "b", ["q.q2"] = "frascati-manual-secret", ["q.q3"] = "0,5",
    };

    /// <summary>Form fields that answer every question wrong.</summary>
    public static Dictionary<string, string> WrongAnswers() => new()
    {
        ["shown"] = "q1", ["q.q1"] = "a", ["q.q2"] = "Oslo", ["q.q3"] = "5",
    };
}
