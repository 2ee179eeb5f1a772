namespace Cistrat.Learning.Core.Completion;

public enum CompletionPartKind
{
    Lessons,
    Quizzes,
    Attendance,
    FinalDate,
}

/// <summary>One line of the checklist: what is asked, how far the trainee is, and what is still missing.</summary>
public sealed record CompletionPart(CompletionPartKind Kind, bool Applies, bool Met, int Done, int Required, double Progress, IReadOnlyList<string> Missing);

public sealed record CompletionReport(bool IsComplete, IReadOnlyList<CompletionPart> Parts);

/// <summary>What the evaluator needs to know about one enrolment; gathered in bulk by the caller.</summary>
public sealed record CompletionFacts(
    int LessonsDone,
    int LessonsTotal,
    IReadOnlySet<string> QuizzesPassed,
    IReadOnlyList<(string Slug, string Title)> CourseQuizzes,
    double? AttendanceShare);

/// <summary>Evaluates a cohort's completion rule for one enrolment. Pure, so a whole cohort is cheap to re-evaluate.</summary>
public static class CompletionEvaluator
{
    public static CompletionReport Evaluate(CompletionRule rule, CompletionFacts facts, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(facts);
        var parts = new List<CompletionPart> { Lessons(rule, facts), Quizzes(rule, facts), Attendance(rule, facts) };
        var contentMet = parts.All(p => !p.Applies || p.Met);
        if (rule.FinalDate is { } final)
        {
            // The date is a deadline for the other parts: once it has passed, what is still missing stays missing.
            var open = today <= final;
            parts.Add(new CompletionPart(CompletionPartKind.FinalDate, true, open, open ? 1 : 0, 1, open ? 1 : 0,
                open ? [] : [final.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)]));
        }

        // A rule that asks for nothing measurable (an empty course) completes nobody: completion must be earned.
        var anything = parts.Any(p => p.Applies && p.Kind != CompletionPartKind.FinalDate);
        return new CompletionReport(anything && contentMet && parts.All(p => !p.Applies || p.Met), parts);
    }

    private static CompletionPart Lessons(CompletionRule rule, CompletionFacts facts)
    {
        if (rule.LessonSharePercent <= 0 || facts.LessonsTotal == 0)
            return new CompletionPart(CompletionPartKind.Lessons, false, true, facts.LessonsDone, 0, 1, []);
        var required = (int)Math.Ceiling(facts.LessonsTotal * rule.LessonSharePercent / 100.0);
        var done = Math.Min(facts.LessonsDone, facts.LessonsTotal);
        return new CompletionPart(CompletionPartKind.Lessons, true, done >= required, done, required,
            Math.Min(1, (double)done / required), []);
    }

    private static CompletionPart Quizzes(CompletionRule rule, CompletionFacts facts)
    {
        var required = rule.Quizzes switch
        {
            QuizRequirement.All => facts.CourseQuizzes.ToList(),
            QuizRequirement.Listed => facts.CourseQuizzes.Where(q => rule.RequiredQuizSlugList.Contains(q.Slug)).ToList(),
            _ => [],
        };
        if (required.Count == 0)
            return new CompletionPart(CompletionPartKind.Quizzes, false, true, 0, 0, 1, []);
        var passed = required.Count(q => facts.QuizzesPassed.Contains(q.Slug));
        var missing = required.Where(q => !facts.QuizzesPassed.Contains(q.Slug)).Select(q => q.Title).ToList();
        return new CompletionPart(CompletionPartKind.Quizzes, true, missing.Count == 0, passed, required.Count, (double)passed / required.Count, missing);
    }

    private static CompletionPart Attendance(CompletionRule rule, CompletionFacts facts)
    {
        // Before any of the cohort's live sessions has ended there is nothing to attend: the part does not apply yet.
        if (rule.AttendanceSharePercent is not int percent || percent <= 0 || facts.AttendanceShare is not double share)
            return new CompletionPart(CompletionPartKind.Attendance, false, true, 0, rule.AttendanceSharePercent ?? 0, 1, []);
        var attended = (int)Math.Floor((share * 100) + 1e-9);
        return new CompletionPart(CompletionPartKind.Attendance, true, attended >= percent, attended, percent, Math.Min(1, share * 100 / percent), []);
    }
}
