namespace Cistrat.Learning.Core.Content;

/// <summary>What one import changed, and what it found wrong. Every count is zero when nothing changed.</summary>
public sealed class ContentImportResult
{
    public IReadOnlyList<ContentIssue> Issues { get; init; } = [];

    /// <summary>Courses added or changed in any way (metadata, translations, modules or lessons).</summary>
    public int CoursesImported { get; init; }
    public int LessonsAdded { get; init; }

    /// <summary>Lessons whose file, position or module changed, including retired lessons that came back.</summary>
    public int LessonsUpdated { get; init; }
    public int LessonsRetired { get; init; }
    public int ModulesRetired { get; init; }
    /// <summary>Quizzes added, changed or retired.</summary>
    public int QuizzesChanged { get; init; }

    public int CoursesRetired { get; init; }

    public bool HasErrors => Issues.Any(i => i.Severity == ContentIssueSeverity.Error);
}
