namespace Cistrat.Learning.Core.Completion;

/// <summary>
/// What a trainee must do to complete one cohort. Each part can be switched off; the rule's version goes up on
/// every change, and a completion keeps the version it was reached under.
/// </summary>
public class CompletionRule
{
    /// <summary>Share of the course's lessons marked done, in percent (0 switches the part off).</summary>
    public int LessonSharePercent { get; set; } = 100;

    public QuizRequirement Quizzes { get; set; } = QuizRequirement.All;

    /// <summary>Quiz slugs, space-separated, when <see cref="Quizzes"/> is <see cref="QuizRequirement.Listed"/>.</summary>
    public string RequiredQuizSlugs { get; set; } = "";

    /// <summary>Share of live-session time attended, in percent; null switches the part off.</summary>
    public int? AttendanceSharePercent { get; set; }

    /// <summary>Last day (in the cohort's time zone) on which completion counts; null for none.</summary>
    public DateOnly? FinalDate { get; set; }

    public int Version { get; set; } = 1;

    public IReadOnlyList<string> RequiredQuizSlugList => RequiredQuizSlugs.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public string Describe() =>
        $"v{Version}: lessons {LessonSharePercent}%, quizzes {Quizzes}{(Quizzes == QuizRequirement.Listed ? $" ({RequiredQuizSlugs})" : "")}, " +
        $"attendance {(AttendanceSharePercent is int a ? $"{a}%" : "n/a")}, final date {(FinalDate is { } d ? d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "none")}";
}

public enum QuizRequirement
{
    None = 0,
    All = 1,
    Listed = 2,
}

/// <summary>The moment an enrolment met its cohort's rule: written once, kept even if the rule changes later.</summary>
public class CompletionRecord
{
    public int Id { get; set; }
    public int EnrolmentId { get; set; }
    public DateTime CompletedAt { get; set; }
    public int RuleVersion { get; set; }
    public string RuleDescription { get; set; } = "";
}

/// <summary>
/// A domain event stored in the same transaction as the change that raised it, for jobs to pick up later
/// (certificates, notifications). <see cref="Key"/> is unique: an event is raised once, whatever runs twice.
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }
    public required string Kind { get; set; }
    public required string Key { get; set; }
    public string PayloadJson { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime? ProcessedAt { get; set; }
}
