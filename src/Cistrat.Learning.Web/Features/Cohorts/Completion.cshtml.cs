using System.ComponentModel.DataAnnotations;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Features.Quizzes;
using Cistrat.Learning.Web.Infrastructure.Localization;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Cohorts;

/// <summary>A cohort's completion rule: its coordinators (and admins) set it; saving re-evaluates every enrolment.</summary>
[Authorize(Policy = Policies.Coordinator)]
public class CompletionModel(LearningDbContext db, CohortAccess access, CompletionService completion, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public RuleInput Input { get; set; } = new();

    public string CohortName { get; private set; } = "";

    public int Version { get; private set; }

    public IReadOnlyList<QuizSummary> Quizzes { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        var rule = await db.Cohorts.AsNoTracking().Where(c => c.Id == id).Select(c => c.CompletionRule).SingleAsync(ct);
        Input = new RuleInput
        {
            LessonSharePercent = rule.LessonSharePercent, Quizzes = rule.Quizzes, RequiredQuizSlugs = rule.RequiredQuizSlugList.ToList(),
            AttendanceSharePercent = rule.AttendanceSharePercent, FinalDate = rule.FinalDate,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refusal)
            return refusal;
        var unknown = Input.RequiredQuizSlugs.Where(s => Quizzes.All(q => q.Slug != s)).ToList();
        if (unknown.Count > 0)
            ModelState.AddModelError("Input.RequiredQuizSlugs", localizer["These quizzes are not part of the course: {0}", string.Join(", ", unknown)].Value);
        if (!ModelState.IsValid)
            return Page();

        var cohort = await db.Cohorts.SingleAsync(c => c.Id == id, ct);
        var rule = cohort.CompletionRule;
        rule.LessonSharePercent = Input.LessonSharePercent;
        rule.Quizzes = Input.Quizzes;
        rule.RequiredQuizSlugs = Input.Quizzes == QuizRequirement.Listed ? string.Join(' ', Input.RequiredQuizSlugs.Distinct()) : "";
        rule.AttendanceSharePercent = Input.AttendanceSharePercent;
        rule.FinalDate = Input.FinalDate;
        rule.Version++;
        await db.SaveChangesAsync(ct);

        var before = await db.CompletionRecords.CountAsync(r => db.Enrolments.Any(e => e.Id == r.EnrolmentId && e.CohortId == id), ct);
        var reports = await completion.EvaluateCohortAsync(id, ct);
        var after = await db.CompletionRecords.CountAsync(r => db.Enrolments.Any(e => e.Id == r.EnrolmentId && e.CohortId == id), ct);
        TempData["Message"] = localizer["The rule was saved (version {0}) and {1} enrolments re-evaluated: {2} meet it now, {3} newly completed.",
            rule.Version, reports.Count, reports.Values.Count(r => r.IsComplete), after - before].Value;
        return RedirectToPage("/Cohorts/Roster", new { id });
    }

    private async Task<IActionResult?> LoadAsync(int id, CancellationToken ct)
    {
        var cohort = await db.Cohorts.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.Name, c.CourseId, c.CompletionRule.Version }).SingleOrDefaultAsync(ct);
        if (cohort is null)
            return NotFound();
        if (!(await access.ForAsync(User, id, ct)).CanManage)
            return Forbid();
        CohortName = cohort.Name;
        Version = cohort.Version;
        Quizzes = (await db.QuizzesByModuleAsync(cohort.CourseId, ct)).SelectMany(g => g).ToList();
        return null;
    }

    public sealed class RuleInput : IValidatableObject
    {
        [Range(0, 100, ErrorMessage = "The share of lessons is a percentage from 0 to 100.")]
        public int LessonSharePercent { get; set; } = 100;

        public QuizRequirement Quizzes { get; set; } = QuizRequirement.All;

        public List<string> RequiredQuizSlugs { get; set; } = [];

        [Range(1, 100, ErrorMessage = "The attendance share is a percentage from 1 to 100, or empty.")]
        public int? AttendanceSharePercent { get; set; }

        public DateOnly? FinalDate { get; set; }

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            var localizer = validationContext.Localizer();
            if (!Enum.IsDefined(Quizzes))
                yield return new ValidationResult(localizer["Choose which quizzes must be passed."], [nameof(Quizzes)]);
            if (Quizzes == QuizRequirement.Listed && RequiredQuizSlugs.Count == 0)
                yield return new ValidationResult(localizer["Tick at least one quiz, or choose another option."], [nameof(RequiredQuizSlugs)]);
        }
    }
}
