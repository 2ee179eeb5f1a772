using System.Text.Json;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Completion;

/// <summary>
/// Evaluates cohorts' completion rules over the database and records each enrolment's completion, with its
/// <c>CompletionReached</c> outbox message, exactly once. A fixed number of queries serves a whole cohort.
/// </summary>
public sealed class CompletionService(LearningDbContext db, TimeProvider time)
{
    public const string CompletionReachedKind = "CompletionReached";

    /// <summary>Re-evaluates every active enrolment of a cohort (after a rule change) and records new completions.</summary>
    public Task<IReadOnlyDictionary<int, CompletionReport>> EvaluateCohortAsync(int cohortId, CancellationToken ct = default) =>
        EvaluateWithRetryAsync(cohortId, enrolmentId: null, ct);

    /// <summary>The checklist of every active enrolment of a cohort, for display: records nothing.</summary>
    public Task<IReadOnlyDictionary<int, CompletionReport>> ReportCohortAsync(int cohortId, CancellationToken ct = default) =>
        EvaluateAsync(cohortId, enrolmentId: null, record: false, ct);

    /// <summary>One enrolment's checklist, for display: records nothing.</summary>
    public async Task<CompletionReport?> ReportEnrolmentAsync(int cohortId, int enrolmentId, CancellationToken ct = default) =>
        (await EvaluateAsync(cohortId, enrolmentId, record: false, ct)).GetValueOrDefault(enrolmentId);

    /// <summary>Evaluates one enrolment (after a lesson was marked done or a quiz passed) and records its completion.</summary>
    public async Task<CompletionReport?> EvaluateEnrolmentAsync(int enrolmentId, CancellationToken ct = default)
    {
        var cohortId = await db.Enrolments.Where(e => e.Id == enrolmentId).Select(e => (int?)e.CohortId).SingleOrDefaultAsync(ct);
        if (cohortId is null)
            return null;
        var reports = await EvaluateWithRetryAsync(cohortId.Value, enrolmentId, ct);
        return reports.GetValueOrDefault(enrolmentId);
    }

    /// <summary>Evaluates every active enrolment this person has in cohorts of a course.</summary>
    public async Task EvaluatePersonInCourseAsync(string userId, int courseId, CancellationToken ct = default)
    {
        var enrolments = await db.Enrolments
            .Where(e => e.UserId == userId && e.Status == EnrolmentStatus.Active && e.Cohort!.CourseId == courseId)
            .Select(e => e.Id).ToListAsync(ct);
        foreach (var id in enrolments)
            await EvaluateEnrolmentAsync(id, ct);
    }

    private async Task<IReadOnlyDictionary<int, CompletionReport>> EvaluateWithRetryAsync(int cohortId, int? enrolmentId, CancellationToken ct)
    {
        try
        {
            return await EvaluateAsync(cohortId, enrolmentId, record: true, ct);
        }
        catch (DbUpdateException)
        {
            // Another evaluation recorded one of these completions first (the unique keys said so): evaluate
            // again, now seeing its records, so every other new completion is still written.
            db.ChangeTracker.Clear();
            return await EvaluateAsync(cohortId, enrolmentId, record: true, ct);
        }
    }

    private async Task<IReadOnlyDictionary<int, CompletionReport>> EvaluateAsync(int cohortId, int? enrolmentId, bool record, CancellationToken ct)
    {
        var cohort = await db.Cohorts.AsNoTracking().SingleAsync(c => c.Id == cohortId, ct);
        var rule = cohort.CompletionRule;
        var lessonsTotal = await db.Lessons.CountAsync(l => l.CourseId == cohort.CourseId && l.RetiredAt == null, ct);
        var quizzes = await db.Quizzes.AsNoTracking()
            .Where(q => q.CourseId == cohort.CourseId && q.RetiredAt == null)
            .OrderBy(q => q.Position)
            .Select(q => new { q.Id, q.Slug, q.Title })
            .ToListAsync(ct);
        var enrolments = db.Enrolments.Where(e => e.CohortId == cohortId && e.Status == EnrolmentStatus.Active
                                                  && (enrolmentId == null || e.Id == enrolmentId));
        var people = await enrolments.Select(e => new { e.Id, e.UserId }).ToListAsync(ct);
        var lessonsDone = await enrolments
            .Join(db.LessonProgress, e => e.UserId, p => p.UserId, (e, p) => new { e.Id, p.CourseId, p.CompletedAt, p.LessonId })
            .Where(x => x.CourseId == cohort.CourseId && x.CompletedAt != null
                        && db.Lessons.Any(l => l.Id == x.LessonId && l.RetiredAt == null))
            .GroupBy(x => x.Id)
            .Select(g => new { EnrolmentId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.EnrolmentId, x => x.Count, ct);
        var passed = (await enrolments
                .Join(db.QuizAttempts, e => e.Id, a => a.EnrolmentId, (e, a) => new { EnrolmentId = e.Id, a.QuizId, a.Passed })
                .Where(x => x.Passed)
                .Select(x => new { x.EnrolmentId, x.QuizId })
                .Distinct()
                .ToListAsync(ct))
            .ToLookup(x => x.EnrolmentId, x => x.QuizId);
        var recorded = !record ? [] : (await enrolments.Join(db.CompletionRecords, e => e.Id, r => r.EnrolmentId, (e, r) => r.EnrolmentId).ToListAsync(ct)).ToHashSet();

        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(TimeZones.ToLocal(now, cohort.TimeZoneId));
        // Attendance is read only when the rule asks for it: the other parts stay a fixed number of queries.
        var attendance = rule.AttendanceSharePercent is > 0 ? await AttendanceSummary.ForCohortAsync(db, cohortId, now, ct) : null;
        var slugById = quizzes.ToDictionary(q => q.Id, q => q.Slug);
        var courseQuizzes = quizzes.Select(q => (q.Slug, q.Title)).ToList();
        var reports = new Dictionary<int, CompletionReport>();
        foreach (var person in people)
        {
            var facts = new CompletionFacts(
                lessonsDone.GetValueOrDefault(person.Id), lessonsTotal,
                passed[person.Id].Where(slugById.ContainsKey).Select(id => slugById[id]).ToHashSet(),
                courseQuizzes, attendance?.ShareOf(person.UserId));
            var report = CompletionEvaluator.Evaluate(rule, facts, today);
            reports[person.Id] = report;
            if (!record || !report.IsComplete || recorded.Contains(person.Id))
                continue;

            db.CompletionRecords.Add(new CompletionRecord
            {
                EnrolmentId = person.Id, CompletedAt = now, RuleVersion = rule.Version, RuleDescription = rule.Describe(),
            });
            db.OutboxMessages.Add(new OutboxMessage
            {
                Kind = CompletionReachedKind,
                Key = $"{CompletionReachedKind}:{person.Id}",
                PayloadJson = JsonSerializer.Serialize(new { enrolmentId = person.Id, cohortId, userId = person.UserId, ruleVersion = rule.Version, completedAt = now }),
                CreatedAt = now,
            });
        }

        if (record)
            await db.SaveChangesAsync(ct);
        return reports;
    }
}
