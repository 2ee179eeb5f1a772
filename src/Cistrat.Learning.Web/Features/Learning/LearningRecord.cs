using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Learning;

/// <summary>
/// Everything the platform holds about one person's learning, in one shape for the record page and for the
/// portable JSON download: profile, enrolments, lessons done, quiz attempts and completions.
/// </summary>
public sealed record LearningRecord(
    LearningRecord.Person Profile,
    IReadOnlyList<LearningRecord.Course> Courses,
    DateTime ExportedAt)
{
    public sealed record Person(string FullName, string? Email, string? Country, string? Organisation, string PreferredLanguage, string TimeZone, string? Gender, DateTime CreatedAt);

    public sealed record Course(string Slug, string Title, IReadOnlyList<Cohort> Cohorts, IReadOnlyList<LessonDone> LessonsDone, int LessonsTotal);

    public sealed record Cohort(int EnrolmentId, string Name, string Status, DateOnly StartsOn, DateOnly EndsOn, DateTime RequestedAt,
        DateTime? CompletedAt, int? CompletedUnderRuleVersion, IReadOnlyList<Attempt> QuizAttempts);

    public sealed record LessonDone(string Slug, string Title, DateTime CompletedAt);

    public sealed record Attempt(string Quiz, string QuizTitle, int Number, DateTime StartedAt, DateTime? SubmittedAt, int Percent, bool Passed);

    public static async Task<LearningRecord?> LoadAsync(LearningDbContext db, string userId, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
            return null;
        var enrolments = await db.Enrolments.AsNoTracking().Where(e => e.UserId == userId)
            .Select(e => new { e.Id, e.Status, e.RequestedAt, e.Cohort!.Name, e.Cohort.StartsOn, e.Cohort.EndsOn, e.Cohort.CourseId })
            .ToListAsync(ct);
        var courseIds = enrolments.Select(e => e.CourseId).Distinct().ToList();
        var courses = await db.Courses.AsNoTracking().Where(c => courseIds.Contains(c.Id)).Select(c => new { c.Id, c.Slug, c.Title }).ToListAsync(ct);
        var lessonsTotal = await db.Lessons.Where(l => courseIds.Contains(l.CourseId) && l.RetiredAt == null)
            .GroupBy(l => l.CourseId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var done = await db.LessonProgress.AsNoTracking().Where(p => p.UserId == userId && p.CompletedAt != null)
            .Join(db.Lessons, p => p.LessonId, l => l.Id, (p, l) => new { p.CourseId, l.Slug, l.Title, CompletedAt = p.CompletedAt!.Value })
            .ToListAsync(ct);
        var attempts = await db.QuizAttempts.AsNoTracking().Where(a => a.UserId == userId)
            .Join(db.Quizzes, a => a.QuizId, q => q.Id, (a, q) => new { a.EnrolmentId, q.Slug, q.Title, a.Number, a.StartedAt, a.SubmittedAt, a.Percent, a.Passed })
            .ToListAsync(ct);
        var enrolmentIds = enrolments.Select(e => e.Id).ToList();
        var completions = await db.CompletionRecords.AsNoTracking().Where(r => enrolmentIds.Contains(r.EnrolmentId)).ToDictionaryAsync(r => r.EnrolmentId, ct);

        return new LearningRecord(
            new Person(user.FullName, user.Email, user.Country, user.Organisation, user.PreferredLanguage, user.TimeZoneId, user.Gender, user.CreatedAt),
            courses.Select(c => new Course(
                c.Slug, c.Title,
                enrolments.Where(e => e.CourseId == c.Id).Select(e => new Cohort(
                    e.Id, e.Name, e.Status.ToString(), e.StartsOn, e.EndsOn, e.RequestedAt,
                    completions.GetValueOrDefault(e.Id)?.CompletedAt, completions.GetValueOrDefault(e.Id)?.RuleVersion,
                    attempts.Where(a => a.EnrolmentId == e.Id).OrderBy(a => a.Slug).ThenBy(a => a.Number)
                        .Select(a => new Attempt(a.Slug, a.Title, a.Number, a.StartedAt, a.SubmittedAt, a.Percent, a.Passed)).ToList())).ToList(),
                done.Where(d => d.CourseId == c.Id).OrderBy(d => d.CompletedAt).Select(d => new LessonDone(d.Slug, d.Title, d.CompletedAt)).ToList(),
                lessonsTotal.GetValueOrDefault(c.Id))).ToList(),
            now);
    }
}
