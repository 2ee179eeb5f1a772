using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Quizzes;

public enum AttemptRefusal
{
    QuizNotFound,
    NotEnrolled,
    NoAttemptsLeft,
    AttemptNotFound,
    AttemptClosed,
    UnknownQuestion,
    InvalidAnswer,
}

/// <summary>A request the rules refuse; nothing was changed.</summary>
public sealed class AttemptRefusedException(AttemptRefusal reason, string detail)
    : InvalidOperationException($"{reason}: {detail}")
{
    public AttemptRefusal Reason { get; } = reason;
}

/// <summary>
/// Starts, saves and submits quiz attempts. The server owns the answer key, the attempt limit and the clock:
/// answers are refused once the deadline has passed, and an attempt is graded exactly once.
/// </summary>
public sealed class QuizAttemptService(LearningDbContext db, CompletionService completion, TimeProvider time)
{
    /// <summary>Answers sent within this long after the deadline still count: they left the browser in time.</summary>
    public static readonly TimeSpan NetworkGrace = TimeSpan.FromSeconds(15);

    public async Task<(Quiz Quiz, Enrolment Enrolment)> LoadAsync(string userId, int quizId, CancellationToken ct)
    {
        var quiz = await db.Quizzes.AsNoTracking().SingleOrDefaultAsync(q => q.Id == quizId && q.RetiredAt == null, ct)
                   ?? throw new AttemptRefusedException(AttemptRefusal.QuizNotFound, $"quiz {quizId}");
        var enrolment = await db.Enrolments.AsNoTracking()
                            .Where(e => e.UserId == userId && e.Status == EnrolmentStatus.Active && e.Cohort!.CourseId == quiz.CourseId)
                            .OrderByDescending(e => e.RequestedAt)
                            .FirstOrDefaultAsync(ct)
                        ?? throw new AttemptRefusedException(AttemptRefusal.NotEnrolled, $"no active enrolment in course {quiz.CourseId}");
        return (quiz, enrolment);
    }

    public Task<List<QuizAttempt>> AttemptsAsync(int enrolmentId, int quizId, CancellationToken ct) =>
        db.QuizAttempts.AsNoTracking().Where(a => a.EnrolmentId == enrolmentId && a.QuizId == quizId).OrderBy(a => a.Number).ToListAsync(ct);

    /// <summary>Resumes the open attempt, or starts the next one when attempts are left.</summary>
    public async Task<QuizAttempt> StartAsync(string userId, int quizId, CancellationToken ct)
    {
        var (quiz, enrolment) = await LoadAsync(userId, quizId, ct);
        var attempts = await db.QuizAttempts.Where(a => a.EnrolmentId == enrolment.Id && a.QuizId == quizId).ToListAsync(ct);
        if (attempts.FirstOrDefault(a => a.SubmittedAt == null) is { } open)
        {
            if (!IsPastDeadline(open))
                return open;
            await FinalizeAsync(open, quiz, ct);
            attempts = await db.QuizAttempts.Where(a => a.EnrolmentId == enrolment.Id && a.QuizId == quizId).ToListAsync(ct);
        }

        if (quiz.MaxAttempts > 0 && attempts.Count >= quiz.MaxAttempts)
            throw new AttemptRefusedException(AttemptRefusal.NoAttemptsLeft, $"{attempts.Count} of {quiz.MaxAttempts} used");
        if (attempts.Any(a => a.Passed) && quiz.MaxAttempts == 0)
            throw new AttemptRefusedException(AttemptRefusal.NoAttemptsLeft, "already passed");

        var now = time.GetUtcNow().UtcDateTime;
        var attempt = new QuizAttempt
        {
            QuizId = quiz.Id, EnrolmentId = enrolment.Id, UserId = userId, Number = attempts.Count + 1, StartedAt = now,
            DeadlineAt = quiz.TimeLimitMinutes is int minutes ? now.AddMinutes(minutes) : null,
            MaxScore = quiz.Definition.MaxScore,
            Layout = Shuffle(quiz),
        };
        db.QuizAttempts.Add(attempt);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A double click started the same attempt number twice: the unique key kept one; use that.
            db.ChangeTracker.Clear();
            return await db.QuizAttempts.SingleAsync(a => a.EnrolmentId == enrolment.Id && a.QuizId == quizId && a.Number == attempt.Number, ct);
        }

        return attempt;
    }

    public async Task<QuizAttempt> GetAsync(string userId, int quizId, int number, CancellationToken ct)
    {
        var attempt = await FindAsync(userId, quizId, number, ct);
        if (attempt.SubmittedAt is null && IsPastDeadline(attempt))
        {
            var quiz = await db.Quizzes.AsNoTracking().SingleAsync(q => q.Id == quizId, ct);
            await FinalizeAsync(attempt, quiz, ct);
        }

        return attempt;
    }

    /// <summary>Saves the given answers (only those questions) into the open attempt.</summary>
    public async Task<QuizAttempt> SaveAsync(string userId, int quizId, int number, IReadOnlyDictionary<string, QuestionAnswer> answers, CancellationToken ct)
    {
        var (quiz, attempt) = await OpenAttemptAsync(userId, quizId, number, ct);
        Merge(attempt, quiz.Definition, answers);
        attempt.LastSavedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return attempt;
    }

    /// <summary>
    /// Saves the last answers and grades the attempt. Submitting an attempt that is already submitted returns
    /// it unchanged, so a resent form never counts twice.
    /// </summary>
    public async Task<QuizAttempt> SubmitAsync(string userId, int quizId, int number, IReadOnlyDictionary<string, QuestionAnswer> answers, CancellationToken ct)
    {
        var attempt = await FindAsync(userId, quizId, number, ct);
        if (attempt.SubmittedAt is not null)
            return attempt;
        var quiz = await db.Quizzes.AsNoTracking().SingleAsync(q => q.Id == quizId, ct);
        if (time.GetUtcNow().UtcDateTime <= attempt.DeadlineAt + NetworkGrace || attempt.DeadlineAt is null)
            Merge(attempt, quiz.Definition, answers);
        await FinalizeAsync(attempt, quiz, ct);
        return attempt;
    }

    /// <summary>
    /// The attempt with this number in the person's current enrolment: numbers restart in each cohort, so an
    /// earlier cohort's attempt 1 is not this one.
    /// </summary>
    private async Task<QuizAttempt> FindAsync(string userId, int quizId, int number, CancellationToken ct)
    {
        var (_, enrolment) = await LoadAsync(userId, quizId, ct);
        return await db.QuizAttempts.SingleOrDefaultAsync(a => a.EnrolmentId == enrolment.Id && a.QuizId == quizId && a.Number == number, ct)
               ?? throw new AttemptRefusedException(AttemptRefusal.AttemptNotFound, $"attempt {number}");
    }

    private async Task<(Quiz, QuizAttempt)> OpenAttemptAsync(string userId, int quizId, int number, CancellationToken ct)
    {
        var attempt = await FindAsync(userId, quizId, number, ct);
        var quiz = await db.Quizzes.AsNoTracking().SingleAsync(q => q.Id == quizId, ct);
        if (attempt.SubmittedAt is not null)
            throw new AttemptRefusedException(AttemptRefusal.AttemptClosed, "already submitted");
        if (time.GetUtcNow().UtcDateTime > attempt.DeadlineAt + NetworkGrace)
        {
            await FinalizeAsync(attempt, quiz, ct);
            throw new AttemptRefusedException(AttemptRefusal.AttemptClosed, "the time limit has passed");
        }

        return (quiz, attempt);
    }

    private static void Merge(QuizAttempt attempt, QuizDefinition definition, IReadOnlyDictionary<string, QuestionAnswer> answers)
    {
        var merged = attempt.Answers.ToDictionary();
        foreach (var (id, answer) in answers)
        {
            var question = definition.Find(id) ?? throw new AttemptRefusedException(AttemptRefusal.UnknownQuestion, $"question '{id}' is not in this quiz");
            if (answer.Options is { } chosen && chosen.Any(o => question.Options.All(x => x.Id != o)))
                throw new AttemptRefusedException(AttemptRefusal.InvalidAnswer, $"question '{id}' has no such option");
            if (question.Kind == QuestionKind.SingleChoice && answer.Options is { Count: > 1 })
                throw new AttemptRefusedException(AttemptRefusal.InvalidAnswer, $"question '{id}' takes one option");
            if (answer.Text is { Length: > 2000 })
                throw new AttemptRefusedException(AttemptRefusal.InvalidAnswer, $"the answer to '{id}' is too long");
            merged[id] = answer;
        }

        attempt.Answers = merged;
    }

    private async Task FinalizeAsync(QuizAttempt attempt, Quiz quiz, CancellationToken ct)
    {
        var grade = QuizGrader.Grade(quiz.Definition, attempt.Answers, quiz.PassMark);
        var now = time.GetUtcNow().UtcDateTime;
        // The condition on SubmittedAt makes grading happen once even when two requests race to submit.
        var updated = await db.QuizAttempts
            .Where(a => a.Id == attempt.Id && a.SubmittedAt == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.AnswersJson, attempt.AnswersJson)
                .SetProperty(a => a.SubmittedAt, now)
                .SetProperty(a => a.Score, grade.Score)
                .SetProperty(a => a.MaxScore, grade.MaxScore)
                .SetProperty(a => a.Percent, grade.Percent)
                .SetProperty(a => a.Passed, grade.Passed), ct);
        await db.Entry(attempt).ReloadAsync(ct);
        if (updated == 1 && grade.Passed)
            await completion.EvaluateEnrolmentAsync(attempt.EnrolmentId, ct);
    }

    private bool IsPastDeadline(QuizAttempt attempt) => time.GetUtcNow().UtcDateTime > attempt.DeadlineAt + NetworkGrace;

    private static List<LayoutItem> Shuffle(Quiz quiz)
    {
        var questions = quiz.Definition.Questions.ToList();
        if (quiz.ShuffleQuestions)
            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(questions));
        return questions.Select(q =>
        {
            var options = q.Options.Select(o => o.Id).ToArray();
            if (quiz.ShuffleOptions)
                Random.Shared.Shuffle(options);
            return new LayoutItem(q.Id, options);
        }).ToList();
    }
}
