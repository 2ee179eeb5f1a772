using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Catalogue;

/// <summary>
/// The current (non-retired) courses with their outlines and rendered lesson HTML, held in memory: content
/// changes only on import, so pages never query or render it per request. <see cref="Invalidate"/> after an import.
/// </summary>
public sealed class CourseCatalog(IServiceScopeFactory scopes) : IDisposable
{
    private volatile Snapshot? _snapshot;
    private readonly SemaphoreSlim _loading = new(1, 1);

    public async ValueTask<IReadOnlyList<CourseOutline>> GetCoursesAsync(CancellationToken ct = default) =>
        (await GetSnapshotAsync(ct)).Courses;

    public async ValueTask<CourseOutline?> FindAsync(string slug, CancellationToken ct = default) =>
        (await GetSnapshotAsync(ct)).BySlug.GetValueOrDefault(slug);

    public async ValueTask<CourseOutline?> FindAsync(int courseId, CancellationToken ct = default) =>
        (await GetSnapshotAsync(ct)).Courses.FirstOrDefault(c => c.Id == courseId);

    public void Invalidate() => _snapshot = null;

    public void Dispose() => _loading.Dispose();

    private async ValueTask<Snapshot> GetSnapshotAsync(CancellationToken ct)
    {
        if (_snapshot is { } ready)
            return ready;
        await _loading.WaitAsync(ct);
        try
        {
            return _snapshot ??= await LoadAsync(ct);
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<Snapshot> LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var courses = await db.Courses.AsNoTracking().AsSplitQuery()
            .Where(c => c.RetiredAt == null)
            .Include(c => c.Translations)
            .Include(c => c.Modules.Where(m => m.RetiredAt == null).OrderBy(m => m.Position))
            .ThenInclude(m => m.Lessons.Where(l => l.RetiredAt == null).OrderBy(l => l.Position))
            .OrderBy(c => c.Title)
            .ToListAsync(ct);
        var outlines = courses.Select(CourseOutline.From).ToList();
        return new Snapshot(outlines, outlines.ToDictionary(c => c.Slug, StringComparer.Ordinal));
    }

    private sealed record Snapshot(IReadOnlyList<CourseOutline> Courses, IReadOnlyDictionary<string, CourseOutline> BySlug);
}

public sealed record CourseOutline(
    int Id,
    string Slug,
    string Title,
    string Summary,
    string Language,
    string Licence,
    string Authors,
    decimal Hours,
    IReadOnlyList<string> Themes,
    IReadOnlyDictionary<string, CourseTranslation> Translations,
    string? GlossaryHtml,
    IReadOnlyList<ModuleOutline> Modules)
{
    public IReadOnlyList<LessonOutline> Lessons { get; } = Modules.SelectMany(m => m.Lessons).ToList();

    /// <summary>"12" rather than "12.0", in the reader's number format.</summary>
    public string HoursText => Hours.ToString("0.#", System.Globalization.CultureInfo.CurrentCulture);

    public string TitleIn(string language) => Translations.TryGetValue(language, out var t) ? t.Title : Title;

    public string SummaryIn(string language) => Translations.TryGetValue(language, out var t) ? t.Summary : Summary;

    /// <summary>The language the title is shown in, for the lang attribute.</summary>
    public string TitleLanguage(string language) => Translations.ContainsKey(language) ? language : Language;

    public LessonOutline? FindLesson(string slug) => Lessons.FirstOrDefault(l => l.Slug == slug);

    public LessonOutline? Previous(LessonOutline lesson) => lesson.Index > 0 ? Lessons[lesson.Index - 1] : null;

    public LessonOutline? Next(LessonOutline lesson) => lesson.Index + 1 < Lessons.Count ? Lessons[lesson.Index + 1] : null;

    public ModuleOutline ModuleOf(LessonOutline lesson) => Modules.First(m => m.Id == lesson.ModuleId);

    public CourseProgress ProgressOf(IReadOnlySet<int> completedLessonIds) =>
        CourseProgress.Compute(Modules.Select(m => (m.Id, (IReadOnlyCollection<int>)m.LessonIds)), completedLessonIds);

    internal static CourseOutline From(Course course)
    {
        var index = 0;
        var modules = course.Modules.Select(m => new ModuleOutline(
            m.Id, m.Slug, m.Title, m.SummaryHtml,
            m.Lessons.Select(l => new LessonOutline(l.Id, m.Id, l.Slug, l.Title, l.Minutes, l.ObjectiveList.ToList(), l.Html, index++)).ToList()))
            .ToList();
        return new CourseOutline(
            course.Id, course.Slug, course.Title, course.Summary, course.Language, course.Licence, course.Authors,
            course.EstimatedHours, course.ThemeList.ToList(), course.Translations.ToDictionary(t => t.Language),
            course.GlossaryHtml, modules);
    }
}

public sealed record ModuleOutline(int Id, string Slug, string Title, string SummaryHtml, IReadOnlyList<LessonOutline> Lessons)
{
    public IReadOnlyList<int> LessonIds { get; } = Lessons.Select(l => l.Id).ToList();
}

public sealed record LessonOutline(int Id, int ModuleId, string Slug, string Title, int Minutes, IReadOnlyList<string> Objectives, string Html, int Index);
