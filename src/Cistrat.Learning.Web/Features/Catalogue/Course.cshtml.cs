using System.Globalization;
using System.Security.Claims;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Learning;
using Cistrat.Learning.Web.Features.Quizzes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Catalogue;

public class CourseModel(
    CourseCatalog catalog,
    LearningDbContext db,
    EnrolmentService enrolments,
    CompletionService completion,
    IMemoryCache cache,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    public CourseOutline Course { get; private set; } = null!;

    public IReadOnlyList<OpenCohort> OpenCohorts { get; private set; } = [];

    public IReadOnlyList<MyEnrolment> MyEnrolments { get; private set; } = [];

    public CourseProgress? Progress { get; private set; }

    public IReadOnlySet<int> Completed { get; private set; } = new HashSet<int>();

    public bool CanRead { get; private set; }

    public LessonOutline? ContinueWith { get; private set; }

    /// <summary>Whether the person opened any lesson yet: "Start" before, "Continue" after.</summary>
    public bool HasHistory { get; private set; }

    public ILookup<int, QuizSummary> Quizzes { get; private set; } = Enumerable.Empty<QuizSummary>().ToLookup(q => q.ModuleId);

    /// <summary>The completion checklist of each active enrolment, with the record once completed.</summary>
    public IReadOnlyList<(MyEnrolment Enrolment, CompletionReport Report, CompletionRecord? Record)> Checklists { get; private set; } = [];

    public string UiLanguage { get; } = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await catalog.FindAsync(slug, ct) is not { } course)
            return NotFound();
        Course = course;
        Quizzes = await db.QuizzesByModuleAsync(course.Id, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var cohorts = await db.Cohorts.AsNoTracking()
            .Where(c => c.CourseId == course.Id)
            .OrderBy(c => c.StartsOn)
            .Select(c => new
            {
                c.Id, c.Name, c.StartsOn, c.EndsOn, c.TimeZoneId, c.Policy, c.Capacity,
                Taken = c.Enrolments.Count(e => e.Status == EnrolmentStatus.Active || e.Status == EnrolmentStatus.Pending),
            })
            .ToListAsync(ct);
        OpenCohorts = cohorts
            .Where(c => EnrolmentService.IsOpenForEnrolment(c.EndsOn, c.TimeZoneId, now))
            .Select(c => new OpenCohort(c.Id, c.Name, c.StartsOn, c.EndsOn, c.TimeZoneId, c.Policy, c.Capacity is int cap ? Math.Max(0, cap - c.Taken) : null))
            .ToList();

        if (User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
        {
            MyEnrolments = await db.MyEnrolmentsAsync(userId, course.Id, ct);
            var progress = await db.MyProgressAsync(userId, course.Id, ct);
            Completed = progress.Where(p => p.CompletedAt != null).Select(p => p.LessonId).ToHashSet();
            CanRead = MyEnrolments.Any(e => e.Status == EnrolmentStatus.Active) || Roles.Staff.Any(User.IsInRole);
            if (MyEnrolments.Any(e => e.Status == EnrolmentStatus.Active))
            {
                Progress = course.ProgressOf(Completed);
                ContinueWith = Resume.Pick(course, progress);
                HasHistory = progress.Count > 0;
                var checklists = new List<(MyEnrolment, CompletionReport, CompletionRecord?)>();
                foreach (var enrolment in MyEnrolments.Where(e => e.Status == EnrolmentStatus.Active))
                {
                    var report = await completion.ReportEnrolmentAsync(enrolment.CohortId, enrolment.Id, ct);
                    var record = await db.CompletionRecords.AsNoTracking().SingleOrDefaultAsync(r => r.EnrolmentId == enrolment.Id, ct);
                    if (report is not null)
                        checklists.Add((enrolment, report, record));
                }

                Checklists = checklists;
            }
        }

        return Page();
    }

    public async Task<IActionResult> OnPostEnrolAsync(string slug, int cohortId, string? invitationCode, CancellationToken ct)
    {
        if (User.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
            return Challenge();
        if (await catalog.FindAsync(slug, ct) is not { } course || !await db.Cohorts.AnyAsync(c => c.Id == cohortId && c.CourseId == course.Id, ct))
            return NotFound();

        var outcome = await enrolments.RequestAsync(userId, cohortId, invitationCode, ct);
        var (ok, message) = outcome switch
        {
            EnrolmentOutcome.Enrolled => (true, localizer["You are enrolled. Welcome to the course!"]),
            EnrolmentOutcome.AwaitingApproval => (true, localizer["Your request was sent. A coordinator will review it."]),
            EnrolmentOutcome.AlreadyEnrolled => (true, localizer["You are already enrolled in this cohort."]),
            EnrolmentOutcome.AlreadyPending => (true, localizer["Your request is already waiting for a coordinator."]),
            EnrolmentOutcome.CohortClosed => (false, localizer["This cohort no longer takes enrolments."]),
            EnrolmentOutcome.CohortFull => (false, localizer["This cohort is full."]),
            EnrolmentOutcome.WrongInvitationCode => (false, localizer["That invitation code is not right for this cohort."]),
            EnrolmentOutcome.Rejected => (false, localizer["A coordinator declined your request for this cohort. Contact the coordinators if you think this is a mistake."]),
            _ => throw new InvalidOperationException($"Unhandled outcome {outcome}"),
        };
        TempData[ok ? "Message" : "Error"] = message.Value;
        return RedirectToPage(new { slug });
    }

    public async Task<IActionResult> OnPostWithdrawAsync(string slug, int cohortId, CancellationToken ct)
    {
        if (User.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
            return Challenge();
        var course = await catalog.FindAsync(slug, ct);
        var withdrawn = await enrolments.WithdrawAsync(userId, cohortId, ct);
        if (course is not null)
            cache.ForgetEnrolment(userId, course.Id);
        if (withdrawn)
            TempData["Message"] = localizer["You left the cohort. Your progress is kept if you come back."].Value;
        else
            TempData["Error"] = localizer["You are not enrolled in that cohort."].Value;
        return RedirectToPage(new { slug });
    }

    public sealed record OpenCohort(int Id, string Name, DateOnly StartsOn, DateOnly EndsOn, string TimeZoneId, EnrolmentPolicy Policy, int? SeatsLeft);
}
