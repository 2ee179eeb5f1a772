using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Quizzes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cistrat.Learning.Core.Content;

/// <summary>
/// Imports <c>content/</c> into the database: courses, their translations, modules and lessons, upserted by slug.
/// Safe to run at every start-up: an unchanged folder changes nothing, removed items are retired (never deleted,
/// so trainees' progress survives), and items that fail to read keep whatever an earlier import stored.
/// Each course is saved with one <c>SaveChanges</c>, so a crash leaves every course either before or after its import.
/// </summary>
/// <remarks>Uses the context's change tracker for the whole import: give it a context of its own (one scope).</remarks>
public sealed class ContentImporter(LearningDbContext db, TimeProvider time, ILogger<ContentImporter> logger)
{
    /// <summary>Where the web app serves the files of <c>content/</c>; relative links in lessons are rewritten under it.</summary>
    public const string FilesRequestPath = "/course-files";

    /// <exception cref="DirectoryNotFoundException"><paramref name="contentRoot"/> does not exist.</exception>
    public async Task<ContentImportResult> ImportAsync(string contentRoot, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentRoot);
        var snapshot = await ContentReader.ReadAsync(contentRoot, ct);
        var issues = snapshot.Issues.ToList();
        var now = time.GetUtcNow().UtcDateTime;
        var total = new Counts();
        foreach (var source in snapshot.Courses)
        {
            var counts = new Counts();
            try
            {
                await ImportCourseAsync(source, now, counts, ct);
                total.Add(counts);
            }
            catch (DbUpdateException e)
            {
                // One course that the database refuses must not stop the others.
                db.ChangeTracker.Clear();
                issues.Add(new ContentIssue($"{source.FolderName}/course.yml", 0,
                    $"course not saved: {e.GetBaseException().Message}", ContentIssueSeverity.Error));
            }
        }

        total.CoursesRetired = await RetireRemovedCoursesAsync(snapshot, now, ct);
        var result = new ContentImportResult
        {
            Issues = issues,
            CoursesImported = total.CoursesImported,
            LessonsAdded = total.LessonsAdded,
            LessonsUpdated = total.LessonsUpdated,
            LessonsRetired = total.LessonsRetired,
            ModulesRetired = total.ModulesRetired,
            CoursesRetired = total.CoursesRetired,
            QuizzesChanged = total.QuizzesChanged,
        };
        Log(contentRoot, result);
        return result;
    }

    private async Task ImportCourseAsync(CourseSource source, DateTime now, Counts counts, CancellationToken ct)
    {
        var course = await db.Courses
            .Include(c => c.Translations)
            .Include(c => c.Modules)
            .AsSplitQuery()
            .SingleOrDefaultAsync(c => c.Slug == source.Slug, ct);
        var isNew = course is null;
        if (course is null)
        {
            course = new Course { Slug = source.Slug, Title = source.Title, Summary = source.Summary, Language = source.Language, Licence = source.Licence };
            db.Courses.Add(course);
        }

        course.Title = source.Title;
        course.Summary = source.Summary;
        course.Language = source.Language;
        course.Licence = source.Licence;
        course.Authors = string.Join(", ", source.Authors);
        course.EstimatedHours = source.Hours;
        course.Themes = string.Join(' ', source.Themes);
        if (!source.Glossary.Unreadable)
            course.GlossaryHtml = source.Glossary.Html;
        course.RetiredAt = null;

        SyncTranslations(course, source);
        var modules = SyncModules(course, source, now, counts);
        var lessons = isNew ? [] : await db.Lessons.Where(l => l.CourseId == course.Id).ToListAsync(ct);
        SyncLessons(course, source, modules, lessons, now, counts);
        var quizzes = isNew ? [] : await db.Quizzes.Where(q => q.CourseId == course.Id).ToListAsync(ct);
        SyncQuizzes(course, source, modules, quizzes, now, counts);

        if (!db.ChangeTracker.HasChanges())
            return;
        course.ImportedAt = now;
        await db.SaveChangesAsync(ct);
        counts.CoursesImported = 1;
    }

    private void SyncTranslations(Course course, CourseSource source)
    {
        foreach (var wanted in source.Translations)
        {
            var translation = course.Translations.FirstOrDefault(t => string.Equals(t.Language, wanted.Language, StringComparison.OrdinalIgnoreCase));
            if (translation is null)
            {
                course.Translations.Add(new CourseTranslation { Language = wanted.Language, Title = wanted.Title, Summary = wanted.Summary });
                continue;
            }

            translation.Language = wanted.Language;
            translation.Title = wanted.Title;
            translation.Summary = wanted.Summary;
        }

        foreach (var gone in course.Translations.Where(t => !source.Translations.Any(w => string.Equals(w.Language, t.Language, StringComparison.OrdinalIgnoreCase))).ToList())
            db.CourseTranslations.Remove(gone);
    }

    private static Dictionary<string, Module> SyncModules(Course course, CourseSource source, DateTime now, Counts counts)
    {
        var stored = course.Modules.ToDictionary(m => m.Slug, StringComparer.Ordinal);
        var current = new Dictionary<string, Module>(StringComparer.Ordinal);
        foreach (var wanted in source.Modules)
        {
            if (!stored.TryGetValue(wanted.Slug, out var module))
            {
                module = new Module { Slug = wanted.Slug, Title = wanted.Title };
                course.Modules.Add(module);
            }

            module.Title = wanted.Title;
            module.Position = wanted.Position;
            module.SummaryHtml = wanted.SummaryHtml;
            module.RetiredAt = null;
            current[wanted.Slug] = module;
        }

        foreach (var module in stored.Values)
        {
            if (module.RetiredAt is null && !current.ContainsKey(module.Slug) && !source.UnreadableModuleSlugs.Contains(module.Slug))
            {
                module.RetiredAt = now;
                counts.ModulesRetired++;
            }
        }

        return current;
    }

    private void SyncLessons(Course course, CourseSource source, Dictionary<string, Module> modules, List<Lesson> stored, DateTime now, Counts counts)
    {
        var bySlug = stored.ToDictionary(l => l.Slug, StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var moduleSource in source.Modules)
        {
            var module = modules[moduleSource.Slug];
            foreach (var wanted in moduleSource.Lessons)
            {
                present.Add(wanted.Slug);
                if (!bySlug.TryGetValue(wanted.Slug, out var lesson))
                {
                    lesson = new Lesson { Slug = wanted.Slug, Title = wanted.Title };
                    Apply(lesson, wanted);
                    module.Lessons.Add(lesson);
                    SetCourse(lesson, course);
                    counts.LessonsAdded++;
                    continue;
                }

                var sameModule = module.Id != 0 && lesson.ModuleId == module.Id;
                if (sameModule && lesson.SourceHash == wanted.SourceHash && lesson.Position == wanted.Position && lesson.RetiredAt is null)
                    continue;
                Apply(lesson, wanted);
                lesson.Module = module;
                lesson.RetiredAt = null;
                counts.LessonsUpdated++;
            }
        }

        foreach (var lesson in stored)
        {
            if (lesson.RetiredAt is null && !present.Contains(lesson.Slug) && !source.UnreadableLessonSlugs.Contains(lesson.Slug))
            {
                lesson.RetiredAt = now;
                counts.LessonsRetired++;
            }
        }
    }

    private void SyncQuizzes(Course course, CourseSource source, Dictionary<string, Module> modules, List<Quiz> stored, DateTime now, Counts counts)
    {
        var bySlug = stored.ToDictionary(q => q.Slug, StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var moduleSource in source.Modules)
        {
            var module = modules[moduleSource.Slug];
            foreach (var wanted in moduleSource.Quizzes)
            {
                present.Add(wanted.Slug);
                if (!bySlug.TryGetValue(wanted.Slug, out var quiz))
                {
                    quiz = new Quiz { Slug = wanted.Slug, Title = wanted.Title };
                    Apply(quiz, wanted);
                    var entry = db.Quizzes.Add(quiz);
                    // Neither key may exist yet (a new course or module): EF fixes temporary values up on save.
                    CopyKey(entry.Property(q => q.CourseId), db.Entry(course).Property(c => c.Id));
                    CopyKey(entry.Property(q => q.ModuleId), db.Entry(module).Property(m => m.Id));
                    counts.QuizzesChanged++;
                    continue;
                }

                if (quiz.SourceHash == wanted.SourceHash && quiz.Position == wanted.Position && quiz.ModuleId == module.Id && module.Id != 0 && quiz.RetiredAt is null)
                    continue;
                Apply(quiz, wanted);
                CopyKey(db.Entry(quiz).Property(q => q.ModuleId), db.Entry(module).Property(m => m.Id));
                quiz.RetiredAt = null;
                counts.QuizzesChanged++;
            }
        }

        foreach (var quiz in stored)
        {
            if (quiz.RetiredAt is null && !present.Contains(quiz.Slug) && !source.UnreadableQuizSlugs.Contains(quiz.Slug))
            {
                quiz.RetiredAt = now;
                counts.QuizzesChanged++;
            }
        }
    }

    private static void CopyKey(Microsoft.EntityFrameworkCore.ChangeTracking.PropertyEntry<Quiz, int> target, Microsoft.EntityFrameworkCore.ChangeTracking.PropertyEntry key)
    {
        target.CurrentValue = (int)key.CurrentValue!;
        if (key.IsTemporary)
            target.IsTemporary = true;
    }

    private static void Apply(Quiz quiz, QuizSource wanted)
    {
        quiz.Title = wanted.Title;
        quiz.Position = wanted.Position;
        quiz.PassMark = wanted.PassMark;
        quiz.MaxAttempts = wanted.MaxAttempts;
        quiz.TimeLimitMinutes = wanted.TimeLimitMinutes;
        quiz.ShuffleQuestions = wanted.ShuffleQuestions;
        quiz.ShuffleOptions = wanted.ShuffleOptions;
        quiz.ShowAnswers = wanted.ShowAnswers;
        quiz.DefinitionJson = wanted.Definition.ToJson();
        quiz.SourceHash = wanted.SourceHash;
    }

    private static void Apply(Lesson lesson, LessonSource wanted)
    {
        lesson.Title = wanted.Title;
        lesson.Position = wanted.Position;
        lesson.Minutes = wanted.Minutes;
        lesson.Objectives = string.Join('\n', wanted.Objectives);
        lesson.Html = wanted.Html;
        lesson.WordCount = wanted.WordCount;
        lesson.SourceHash = wanted.SourceHash;
    }

    /// <summary>
    /// Lesson.CourseId has no navigation. For a course that is not saved yet its key is still EF's temporary
    /// value; giving the lesson that value lets EF fix both up in the same SaveChanges.
    /// </summary>
    private void SetCourse(Lesson lesson, Course course)
    {
        var courseId = db.Entry(course).Property(c => c.Id);
        var lessonEntry = db.Lessons.Add(lesson);
        lessonEntry.Property(l => l.CourseId).CurrentValue = courseId.CurrentValue;
        if (courseId.IsTemporary)
            lessonEntry.Property(l => l.CourseId).IsTemporary = true;
    }

    private async Task<int> RetireRemovedCoursesAsync(ContentSnapshot snapshot, DateTime now, CancellationToken ct)
    {
        var present = snapshot.Courses.Select(c => c.Slug).Concat(snapshot.UnreadableCourseSlugs).ToHashSet(StringComparer.Ordinal);
        var active = await db.Courses.Where(c => c.RetiredAt == null).ToListAsync(ct);
        var removed = active.Where(c => !present.Contains(c.Slug)).ToList();
        if (removed.Count == 0)
            return 0;
        foreach (var course in removed)
            course.RetiredAt = now;
        await db.SaveChangesAsync(ct);
        return removed.Count;
    }

    private void Log(string contentRoot, ContentImportResult result)
    {
        foreach (var issue in result.Issues)
        {
            logger.Log(issue.Severity == ContentIssueSeverity.Error ? LogLevel.Error : LogLevel.Warning,
                "Content {File}:{Line}: {Reason}", issue.File, issue.Line, issue.Reason);
        }

        logger.LogInformation(
            "Imported content from {ContentRoot}: {CoursesImported} courses changed, {LessonsAdded} lessons added, {LessonsUpdated} updated, "
            + "{LessonsRetired} retired, {ModulesRetired} modules retired, {CoursesRetired} courses retired; {ErrorCount} errors, {WarningCount} warnings",
            contentRoot, result.CoursesImported, result.LessonsAdded, result.LessonsUpdated, result.LessonsRetired, result.ModulesRetired,
            result.CoursesRetired, result.Issues.Count(i => i.Severity == ContentIssueSeverity.Error),
            result.Issues.Count(i => i.Severity == ContentIssueSeverity.Warning));
    }

    private sealed class Counts
    {
        public int CoursesImported { get; set; }
        public int LessonsAdded { get; set; }
        public int LessonsUpdated { get; set; }
        public int LessonsRetired { get; set; }
        public int ModulesRetired { get; set; }
        public int CoursesRetired { get; set; }
        public int QuizzesChanged { get; set; }

        public void Add(Counts other)
        {
            QuizzesChanged += other.QuizzesChanged;
            CoursesImported += other.CoursesImported;
            LessonsAdded += other.LessonsAdded;
            LessonsUpdated += other.LessonsUpdated;
            LessonsRetired += other.LessonsRetired;
            ModulesRetired += other.ModulesRetired;
        }
    }
}
