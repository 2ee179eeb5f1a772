namespace Cistrat.Learning.Core.Tests.Quizzes;

/// <summary>Quiz files for the tests, in the format of content/README.md ("Quizzes").</summary>
internal static class QuizYaml
{
    /// <summary>
    /// One question of each kind, 6 points in all (q1 is worth 2). The right answers: q1 "a", q2 "a" and "c",
    /// q3 "false", q4 "Open Science", q5 "0.3" (± 0.01). Line numbers matter to the reader tests.
    /// </summary>
    public const string Good = """
        title: Basics check
        pass_mark: 60
        attempts: 2
        time_limit_minutes: 10
        questions:
          - id: q1
            kind: single
            prompt: Pick *one*.
            options:
              - text: Right
                correct: true
              - text: Wrong
              - Also wrong
            lesson: first
            points: 2
          - id: q2
            kind: multiple
            prompt: Pick two.
            options:
              - { text: A, correct: true }
              - { text: B }
              - { text: C, correct: true }
          - id: q3
            kind: true_false
            prompt: Is it?
            answer: false
            feedback: It is **not**.
          - id: q4
            kind: text
            prompt: Name it.
            accepted: [Open Science, Open science recommendation]
          - id: q5
            kind: numeric
            prompt: How much?
            answer: 0.3
            tolerance: 0.01

        """;

    /// <summary>A second quiz with one question, whose id no other quiz uses.</summary>
    public const string Other = """
        title: Advanced check
        questions:
          - id: other
            kind: true_false
            prompt: Advanced?
            answer: true

        """;

    /// <summary>A quiz with the given settings and the questions of <see cref="Good"/>.</summary>
    public static string With(int attempts = 2, int? timeLimitMinutes = 10, int passMark = 60, string title = "Basics check", string? slug = null) =>
        (slug is null ? "" : $"slug: {slug}\n")
        + Good.Replace("title: Basics check\n", $"title: {title}\n", StringComparison.Ordinal)
            .Replace("pass_mark: 60\n", $"pass_mark: {passMark}\n", StringComparison.Ordinal)
            .Replace("attempts: 2\n", $"attempts: {attempts}\n", StringComparison.Ordinal)
            .Replace("time_limit_minutes: 10\n", timeLimitMinutes is int m ? $"time_limit_minutes: {m}\n" : "", StringComparison.Ordinal);
}
