using System.Security.Claims;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Catalogue;
using Cistrat.Learning.Web.Infrastructure.Rendering;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Learning;

/// <summary>The lesson reader: enrolled trainees (active enrolment in a cohort of the course) and staff only.</summary>
/// <remarks>
/// Written from a template (<see cref="PageTemplates"/>) per lesson, language, roles and state (not enrolled, to do,
/// done); the person's own values are holes: lessons done in the course and where reading resumes.
/// </remarks>
[Authorize]
public class LessonModel(
    CourseCatalog catalog,
    LearningDbContext db,
    LessonProgressRecorder recorder,
    ProgressCache progressCache,
    PageTemplates templates,
    IMemoryCache cache,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    public CourseOutline Course { get; private set; } = null!;

    public LessonOutline Lesson { get; private set; } = null!;

    public ModuleOutline Module { get; private set; } = null!;

    public int ModuleNumber { get; private set; }

    public LessonOutline? Previous { get; private set; }

    public LessonOutline? Next { get; private set; }

    public bool IsDone { get; private set; }

    public bool IsLastOfModule { get; private set; }

    public bool TracksProgress { get; private set; }

    public double ResumePosition { get; private set; }

    public CourseProgress? Progress { get; private set; }

    /// <summary>Hole: the number of lessons done in the course, as the reader's language writes it.</summary>
    public const int DoneHole = PageHoles.FirstOfPage;

    /// <summary>Hole: where reading resumes, a share of the page from 0 to 1.</summary>
    public const int PositionHole = PageHoles.FirstOfPage + 1;

    public string DoneText => Progress?.Done.ToString(System.Globalization.CultureInfo.CurrentCulture) ?? "";

    public string ResumeText => ResumePosition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    /// <remarks>
    /// Reads its route values itself: a handler without parameters skips model binding (value providers and
    /// binders), which was a twentieth of what a lesson page cost.
    /// </remarks>
    public async Task<IActionResult> OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        if (RouteData.Values["slug"] is not string slug || RouteData.Values["lesson"] is not string lesson)
            return NotFound();
        if (await LoadAsync(slug, lesson, ct) is { } refusal)
            return refusal;
        if (!TracksProgress)
            return templates.Page(this, Lesson, "staff");

        var progress = await progressCache.GetAsync(db, UserId, Course.Id, ct);
        var mine = progress.FirstOrDefault(p => p.LessonId == Lesson.Id);
        IsDone = mine?.CompletedAt is not null;
        ResumePosition = mine?.Position ?? 0;
        Progress = Course.ProgressOf(progress.Where(p => p.CompletedAt != null).Select(p => p.LessonId).ToHashSet());
        await recorder.RecordVisitAsync(UserId, Course.Id, Lesson.Id, progress, ct);
        return templates.Page(this, Lesson, IsDone ? "done" : "to-do", DoneText, ResumeText);
    }

    public async Task<IActionResult> OnPostDoneAsync(string slug, string lesson, bool done, CancellationToken ct)
    {
        if (await LoadAsync(slug, lesson, ct) is { } refusal)
            return refusal;
        if (!TracksProgress)
        {
            TempData["Error"] = localizer["Progress is kept for enrolled trainees only."].Value;
            return RedirectToPage(new { slug, lesson });
        }

        await recorder.SetDoneAsync(UserId, Course.Id, Lesson.Id, done, ct);
        // Marking done is the natural moment to move on; undoing stays on the page.
        return done && Next is not null
            ? RedirectToPage(new { slug, lesson = Next.Slug })
            : RedirectToPage(new { slug, lesson });
    }

    /// <summary>Called by the page's script as the reader scrolls away, to resume at the same place.</summary>
    /// <remarks>
    /// The script sends a decimal point whatever the reader's language, so the share is read invariantly (form
    /// binding would read it in the page's culture, where "0.375" is not a number in French or Arabic).
    /// </remarks>
    public async Task<IActionResult> OnPostPositionAsync(string slug, string lesson, [FromForm(Name = "position")] string? value, CancellationToken ct)
    {
        if (await LoadAsync(slug, lesson, ct) is { } refusal)
            return refusal;
        if (!TracksProgress
            || !double.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var position)
            || position is < 0 or > 1)
            return BadRequest();
        await recorder.SetPositionAsync(UserId, Course.Id, Lesson.Id, position, ct);
        return new NoContentResult();
    }

    private async Task<IActionResult?> LoadAsync(string slug, string lesson, CancellationToken ct)
    {
        if (await catalog.FindAsync(slug, ct) is not { } course || course.FindLesson(lesson) is not { } found)
            return NotFound();
        Course = course;
        Lesson = found;
        Module = course.ModuleOf(found);
        ModuleNumber = course.Modules.ToList().IndexOf(Module) + 1;
        Previous = course.Previous(found);
        Next = course.Next(found);
        IsLastOfModule = Module.Lessons[^1].Id == found.Id;

        TracksProgress = await db.IsActivelyEnrolledAsync(cache, UserId, course.Id);
        if (TracksProgress || Roles.Staff.Any(User.IsInRole))
            return null;

        TempData["Error"] = localizer["Enrol in a cohort of this course to read its lessons."].Value;
        return RedirectToPage("/Catalogue/Course", new { slug });
    }
}
