namespace Cistrat.Learning.Core.Content;

/// <summary>
/// The content folder as read from disk, before anything touches the database. Items that could not be read
/// are absent from the lists; their slugs are in the <c>Unreadable*</c> sets so that the importer keeps what
/// an earlier import stored for them instead of retiring it.
/// </summary>
internal sealed record ContentSnapshot(
    IReadOnlyList<CourseSource> Courses,
    IReadOnlySet<string> UnreadableCourseSlugs,
    IReadOnlyList<ContentIssue> Issues);

internal sealed record CourseSource(
    string FolderName,
    string Slug,
    string Title,
    string Summary,
    string Language,
    string Licence,
    IReadOnlyList<string> Authors,
    decimal Hours,
    IReadOnlyList<string> Themes,
    IReadOnlyList<TranslationSource> Translations,
    GlossarySource Glossary,
    IReadOnlyList<ModuleSource> Modules,
    IReadOnlySet<string> UnreadableModuleSlugs,
    IReadOnlySet<string> UnreadableLessonSlugs,
    IReadOnlySet<string> UnreadableQuizSlugs);

internal sealed record TranslationSource(string Language, string Title, string Summary);

/// <summary>The glossary's HTML, null when the course has none; <see cref="Unreadable"/> keeps the stored one.</summary>
internal sealed record GlossarySource(string? Html, bool Unreadable);

internal sealed record ModuleSource(string FolderName, string Slug, string Title, int Position, string SummaryHtml, IReadOnlyList<LessonSource> Lessons)
{
    public List<QuizSource> Quizzes { get; } = [];
}

internal sealed record LessonSource(
    string File,
    string Slug,
    string Title,
    int Position,
    int Minutes,
    IReadOnlyList<string> Objectives,
    string Html,
    int WordCount,
    string SourceHash);
