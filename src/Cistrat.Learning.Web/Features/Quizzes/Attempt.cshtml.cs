using System.Security.Claims;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Quizzes;
using Cistrat.Learning.Web.Features.Catalogue;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Quizzes;

/// <summary>
/// One attempt: the questions while it is open (no answer key on the page), the graded result once submitted.
/// Only the trainee who owns the attempt can see or change it.
/// </summary>
[Authorize]
public class AttemptModel(
    CourseCatalog catalog,
    LearningDbContext db,
    QuizAttemptService attempts,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    public CourseOutline Course { get; private set; } = null!;

    public Quiz Quiz { get; private set; } = null!;

    public QuizDefinition Definition { get; private set; } = null!;

    public QuizAttempt Attempt { get; private set; } = null!;

    public IReadOnlyDictionary<string, QuestionAnswer> Answers { get; private set; } = new Dictionary<string, QuestionAnswer>();

    public QuizGrade? Grade { get; private set; }

    /// <summary>Whether the key and feedback may be shown: after submission, or only once no attempt is left.</summary>
    public bool RevealAnswers { get; private set; }

    public int SecondsLeft { get; private set; }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public async Task<IActionResult> OnGetAsync(string slug, string quiz, int number, CancellationToken ct)
    {
        if (await LoadQuizAsync(slug, quiz, ct) is { } notFound)
            return notFound;
        try
        {
            Attempt = await attempts.GetAsync(UserId, Quiz.Id, number, ct);
        }
        catch (AttemptRefusedException)
        {
            return NotFound();
        }

        Answers = Attempt.Answers;
        if (Attempt.IsOpen)
        {
            SecondsLeft = Attempt.DeadlineAt is { } deadline ? (int)Math.Max(0, (deadline - time.GetUtcNow().UtcDateTime).TotalSeconds) : 0;
            return Page();
        }

        Grade = QuizGrader.Grade(Definition, Answers, Quiz.PassMark);
        var used = await db.QuizAttempts.CountAsync(a => a.EnrolmentId == Attempt.EnrolmentId && a.QuizId == Quiz.Id, ct);
        RevealAnswers = Quiz.ShowAnswers == ShowAnswers.AfterSubmission || (Quiz.MaxAttempts > 0 && used >= Quiz.MaxAttempts);
        return Page();
    }

    public Task<IActionResult> OnPostSaveAsync(string slug, string quiz, int number, CancellationToken ct) =>
        HandleAsync(slug, quiz, number, submit: false, ct);

    public Task<IActionResult> OnPostSubmitAsync(string slug, string quiz, int number, CancellationToken ct) =>
        HandleAsync(slug, quiz, number, submit: true, ct);

    private async Task<IActionResult> HandleAsync(string slug, string quiz, int number, bool submit, CancellationToken ct)
    {
        if (await LoadQuizAsync(slug, quiz, ct) is { } notFound)
            return notFound;
        var background = Request.Headers.XRequestedWith == "fetch";
        try
        {
            var answers = QuizForm.Read(Request.Form, Definition);
            if (submit)
            {
                await attempts.SubmitAsync(UserId, Quiz.Id, number, answers, ct);
            }
            else
            {
                await attempts.SaveAsync(UserId, Quiz.Id, number, answers, ct);
                if (background)
                    return new NoContentResult();
                TempData["Message"] = localizer["Your answers are saved."].Value;
            }
        }
        catch (AttemptRefusedException e)
        {
            var message = AttemptMessages.For(e.Reason, localizer);
            if (background)
                return new ConflictObjectResult(new { error = message });
            TempData["Error"] = message;
            if (e.Reason == AttemptRefusal.AttemptNotFound)
                return RedirectToPage("/Quizzes/Quiz", new { slug, quiz });
        }

        return RedirectToPage(new { slug, quiz, number });
    }

    private async Task<IActionResult?> LoadQuizAsync(string slug, string quiz, CancellationToken ct)
    {
        if (await catalog.FindAsync(slug, ct) is not { } course || await db.FindQuizAsync(course.Id, quiz) is not { } found)
            return NotFound();
        Course = course;
        Quiz = found;
        Definition = found.Definition;
        return null;
    }

    public string LessonTitle(string? lessonSlug) => lessonSlug is null ? "" : Course.FindLesson(lessonSlug)?.Title ?? lessonSlug;
}
