using System.Security.Claims;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Quizzes;
using Cistrat.Learning.Web.Features.Catalogue;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Quizzes;

/// <summary>A quiz's overview for an enrolled trainee: its settings, their attempts, and starting or resuming one.</summary>
[Authorize]
public class QuizModel(CourseCatalog catalog, LearningDbContext db, QuizAttemptService attempts, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public CourseOutline Course { get; private set; } = null!;

    public Quiz Quiz { get; private set; } = null!;

    public int QuestionCount { get; private set; }

    public IReadOnlyList<QuizAttempt> Attempts { get; private set; } = [];

    public bool CanStart { get; private set; }

    public QuizAttempt? Open => Attempts.FirstOrDefault(a => a.SubmittedAt is null);

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public async Task<IActionResult> OnGetAsync(string slug, string quiz, CancellationToken ct)
    {
        if (await catalog.FindAsync(slug, ct) is not { } course || await db.FindQuizAsync(course.Id, quiz) is not { } found)
            return NotFound();
        Course = course;
        Quiz = found;
        QuestionCount = found.Definition.Questions.Count;
        try
        {
            var (_, enrolment) = await attempts.LoadAsync(UserId, found.Id, ct);
            Attempts = await attempts.AttemptsAsync(enrolment.Id, found.Id, ct);
        }
        catch (AttemptRefusedException e) when (e.Reason == AttemptRefusal.NotEnrolled)
        {
            TempData["Error"] = localizer["Enrol in a cohort of this course to take its quizzes."].Value;
            return RedirectToPage("/Catalogue/Course", new { slug });
        }

        CanStart = Open is not null || found.MaxAttempts == 0 || Attempts.Count < found.MaxAttempts;
        return Page();
    }

    public async Task<IActionResult> OnPostStartAsync(string slug, string quiz, CancellationToken ct)
    {
        if (await catalog.FindAsync(slug, ct) is not { } course || await db.FindQuizAsync(course.Id, quiz) is not { } found)
            return NotFound();
        try
        {
            var attempt = await attempts.StartAsync(UserId, found.Id, ct);
            return RedirectToPage("/Quizzes/Attempt", new { slug, quiz, number = attempt.Number });
        }
        catch (AttemptRefusedException e)
        {
            TempData["Error"] = AttemptMessages.For(e.Reason, localizer);
            return RedirectToPage(new { slug, quiz });
        }
    }
}
