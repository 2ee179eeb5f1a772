using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Quizzes;
using Cistrat.Learning.Core.Tests.Content;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cistrat.Learning.Core.Tests.Completion;

/// <summary>
/// Rows the completion and quiz-attempt tests start from: the demo course imported from a temporary content folder,
/// people, a cohort with its rule, enrolments, lessons done and quiz attempts. Each call uses a context of its own.
/// </summary>
internal sealed class LearningSeed(SqliteDatabase database, TimeProvider clock)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Imports the folder and fails the test on any import error.</summary>
    public async Task ImportAsync(ContentFolder content)
    {
        await using var db = database.CreateContext();
        var result = await new ContentImporter(db, clock, NullLogger<ContentImporter>.Instance).ImportAsync(content.Root, Ct);
        Assert.False(result.HasErrors, string.Join('\n', result.Issues));
    }

    public async Task UsersAsync(params string[] ids)
    {
        await using var db = database.CreateContext();
        foreach (var id in ids)
        {
            db.Users.Add(new ApplicationUser
            {
                Id = id, UserName = id, NormalizedUserName = id.ToUpperInvariant(), Email = $"{id}@example.org",
                NormalizedEmail = $"{id.ToUpperInvariant()}@EXAMPLE.ORG", FullName = id, CreatedAt = Now,
            });
        }

        await db.SaveChangesAsync(Ct);
    }

    public async Task<int> CohortAsync(CompletionRule rule, string timeZone = "Etc/UTC", string name = "Cohort")
    {
        await using var db = database.CreateContext();
        var cohort = new Cohort
        {
            CourseId = await db.Courses.Select(c => c.Id).SingleAsync(Ct), Name = name, StartsOn = new DateOnly(2026, 1, 1),
            EndsOn = new DateOnly(2026, 12, 31), TimeZoneId = timeZone, CreatedAt = Now, CompletionRule = rule,
        };
        db.Cohorts.Add(cohort);
        await db.SaveChangesAsync(Ct);
        return cohort.Id;
    }

    public async Task<int> EnrolAsync(int cohortId, string userId, EnrolmentStatus status = EnrolmentStatus.Active)
    {
        await using var db = database.CreateContext();
        var enrolment = new Enrolment { CohortId = cohortId, UserId = userId, Status = status, RequestedAt = Now, DecidedAt = Now };
        db.Enrolments.Add(enrolment);
        await db.SaveChangesAsync(Ct);
        return enrolment.Id;
    }

    public async Task LessonsDoneAsync(string userId, params string[] lessonSlugs)
    {
        await using var db = database.CreateContext();
        var lessons = await db.Lessons.Where(l => lessonSlugs.Contains(l.Slug)).ToListAsync(Ct);
        Assert.Equal(lessonSlugs.Length, lessons.Count);
        foreach (var lesson in lessons)
        {
            db.LessonProgress.Add(new LessonProgress
            {
                UserId = userId, LessonId = lesson.Id, CourseId = lesson.CourseId, FirstVisitedAt = Now, LastVisitedAt = Now,
                CompletedAt = Now, Position = 1,
            });
        }

        await db.SaveChangesAsync(Ct);
    }

    /// <summary>A submitted attempt, passed or failed, written directly (the attempt service is tested on its own).</summary>
    public async Task AttemptAsync(int enrolmentId, string userId, string quizSlug, bool passed, int number = 1)
    {
        await using var db = database.CreateContext();
        var quiz = await db.Quizzes.SingleAsync(q => q.Slug == quizSlug, Ct);
        db.QuizAttempts.Add(new QuizAttempt
        {
            QuizId = quiz.Id, EnrolmentId = enrolmentId, UserId = userId, Number = number, StartedAt = Now, SubmittedAt = Now,
            MaxScore = 6, Score = passed ? 6 : 1, Percent = passed ? 100 : 16, Passed = passed,
        });
        await db.SaveChangesAsync(Ct);
    }

    /// <summary>An active enrolment that has done every lesson given and passed every quiz given.</summary>
    public async Task<int> TraineeAsync(int cohortId, string userId, string[] lessons, string[] passedQuizzes, EnrolmentStatus status = EnrolmentStatus.Active)
    {
        await UsersAsync(userId);
        var enrolment = await EnrolAsync(cohortId, userId, status);
        await LessonsDoneAsync(userId, lessons);
        foreach (var quiz in passedQuizzes)
            await AttemptAsync(enrolment, userId, quiz, passed: true);
        return enrolment;
    }

    public async Task ChangeRuleAsync(int cohortId, Action<CompletionRule> change)
    {
        await using var db = database.CreateContext();
        var cohort = await db.Cohorts.SingleAsync(c => c.Id == cohortId, Ct);
        change(cohort.CompletionRule);
        cohort.CompletionRule.Version++;
        await db.SaveChangesAsync(Ct);
    }

    public async Task<T> WithContextAsync<T>(Func<LearningDbContext, Task<T>> query)
    {
        await using var db = database.CreateContext();
        return await query(db);
    }
}
