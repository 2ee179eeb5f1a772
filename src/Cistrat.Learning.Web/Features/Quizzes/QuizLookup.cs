using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Quizzes;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Quizzes;

public static class QuizLookup
{
    private static readonly Func<LearningDbContext, int, string, Task<Quiz?>> BySlug =
        EF.CompileAsyncQuery((LearningDbContext db, int courseId, string slug) =>
            db.Quizzes.AsNoTracking().FirstOrDefault(q => q.CourseId == courseId && q.Slug == slug && q.RetiredAt == null));

    public static Task<Quiz?> FindQuizAsync(this LearningDbContext db, int courseId, string slug) => BySlug(db, courseId, slug);

    /// <summary>The current quizzes of a course, by module, for outlines (no answer keys are loaded).</summary>
    public static async Task<ILookup<int, QuizSummary>> QuizzesByModuleAsync(this LearningDbContext db, int courseId, CancellationToken ct) =>
        (await db.Quizzes.AsNoTracking()
            .Where(q => q.CourseId == courseId && q.RetiredAt == null)
            .OrderBy(q => q.Position)
            .Select(q => new QuizSummary(q.Id, q.ModuleId, q.Slug, q.Title))
            .ToListAsync(ct))
        .ToLookup(q => q.ModuleId);
}

public sealed record QuizSummary(int Id, int ModuleId, string Slug, string Title);
