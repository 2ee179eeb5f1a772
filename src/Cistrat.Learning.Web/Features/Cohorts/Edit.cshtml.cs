using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Cistrat.Learning.Core;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Catalogue;
using Cistrat.Learning.Web.Infrastructure.Localization;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Cohorts;

/// <summary>Create a cohort (coordinators, admins) or edit one (its own coordinators, admins).</summary>
[Authorize(Policy = Policies.Coordinator)]
public class EditModel(
    LearningDbContext db,
    CourseCatalog catalog,
    CohortAccess access,
    UserManager<ApplicationUser> users,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public CohortInput Input { get; set; } = new();

    public int? CohortId { get; private set; }

    public IReadOnlyList<CourseOutline> Courses { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct)
    {
        Courses = await catalog.GetCoursesAsync(ct);
        if (id is null)
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            Input = new CohortInput { StartsOn = today.AddDays(14), EndsOn = today.AddDays(14 + 42), TimeZoneId = Clock(User) };
            return Page();
        }

        if (!(await access.ForAsync(User, id.Value, ct)).CanManage)
            return Forbid();
        var cohort = await db.Cohorts.AsNoTracking().Include(c => c.Staff).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (cohort is null)
            return NotFound();
        CohortId = id;
        var staffIds = cohort.Staff.Select(s => s.UserId).ToList();
        var emails = await db.Users.Where(u => staffIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? "", ct);
        Input = new CohortInput
        {
            CourseId = cohort.CourseId, Name = cohort.Name, StartsOn = cohort.StartsOn, EndsOn = cohort.EndsOn,
            TimeZoneId = cohort.TimeZoneId, Policy = cohort.Policy, InvitationCode = cohort.InvitationCode, Capacity = cohort.Capacity,
            NudgeAfterDays = cohort.NudgeAfterDays,
            Lecturers = string.Join(Environment.NewLine, cohort.Staff.Where(s => s.Role == StaffRole.Lecturer).Select(s => emails[s.UserId])),
            Coordinators = string.Join(Environment.NewLine, cohort.Staff.Where(s => s.Role == StaffRole.Coordinator).Select(s => emails[s.UserId])),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int? id, CancellationToken ct)
    {
        Courses = await catalog.GetCoursesAsync(ct);
        CohortId = id;
        Cohort? cohort = null;
        if (id is not null)
        {
            if (!(await access.ForAsync(User, id.Value, ct)).CanManage)
                return Forbid();
            cohort = await db.Cohorts.Include(c => c.Staff).SingleOrDefaultAsync(c => c.Id == id, ct);
            if (cohort is null)
                return NotFound();
        }

        if (Courses.All(c => c.Id != Input.CourseId))
            ModelState.AddModelError("Input.CourseId", localizer["Choose a course from the list."].Value);
        var lecturers = await ResolveStaffAsync(Input.Lecturers, Roles.Lecturer, "Input.Lecturers");
        var coordinators = await ResolveStaffAsync(Input.Coordinators, Roles.Coordinator, "Input.Coordinators");
        if (!ModelState.IsValid)
            return Page();

        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        if (cohort is null)
        {
            cohort = new Cohort { Name = Input.Name, CreatedAt = time.GetUtcNow().UtcDateTime };
            db.Cohorts.Add(cohort);
            // Whoever creates a cohort coordinates it, unless an admin names other coordinators.
            if (!User.IsInRole(Roles.Admin) || coordinators.Count == 0)
                coordinators.Add(userId);
        }

        cohort.CourseId = Input.CourseId;
        cohort.Name = Input.Name.Trim();
        cohort.StartsOn = Input.StartsOn;
        cohort.EndsOn = Input.EndsOn;
        cohort.TimeZoneId = Input.TimeZoneId;
        cohort.Policy = Input.Policy;
        cohort.InvitationCode = Input.Policy == EnrolmentPolicy.InvitationCode ? Input.InvitationCode?.Trim() : null;
        cohort.Capacity = Input.Capacity;
        cohort.NudgeAfterDays = Input.NudgeAfterDays;
        cohort.Staff.Clear();
        cohort.Staff.AddRange(lecturers.Distinct().Select(u => new CohortStaff { UserId = u, Role = StaffRole.Lecturer }));
        cohort.Staff.AddRange(coordinators.Distinct().Select(u => new CohortStaff { UserId = u, Role = StaffRole.Coordinator }));
        await db.SaveChangesAsync(ct);
        TempData["Message"] = localizer["The cohort was saved."].Value;
        return RedirectToPage("/Cohorts/Roster", new { id = cohort.Id });
    }

    private async Task<List<string>> ResolveStaffAsync(string? list, string role, string field)
    {
        var ids = new List<string>();
        foreach (var email in (list ?? "").Split([',', '،', ';', '\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            var user = await users.FindByEmailAsync(email);
            if (user is null)
                ModelState.AddModelError(field, localizer["No account has the address {0}.", email].Value);
            else if (!await users.IsInRoleAsync(user, role) && !await users.IsInRoleAsync(user, Roles.Admin))
                ModelState.AddModelError(field, localizer["{0} does not have the {1} role.", email, localizer["role:" + role]].Value);
            else
                ids.Add(user.Id);
        }

        return ids;
    }

    private static string Clock(ClaimsPrincipal user) =>
        user.FindFirstValue(Infrastructure.Localization.LearningClaims.TimeZone) is { } tz && TimeZones.IsValid(tz) ? tz : "Etc/UTC";

    public sealed class CohortInput : IValidatableObject
    {
        [Display(Name = "Course")]
        public int CourseId { get; set; }

        [Required(ErrorMessage = "Give the cohort a name.")]
        [StringLength(200, ErrorMessage = "The name can have at most 200 characters.")]
        public string Name { get; set; } = "";

        public DateOnly StartsOn { get; set; }

        public DateOnly EndsOn { get; set; }

        public string TimeZoneId { get; set; } = "Etc/UTC";

        public EnrolmentPolicy Policy { get; set; }

        [StringLength(64, ErrorMessage = "The invitation code can have at most 64 characters.")]
        public string? InvitationCode { get; set; }

        [Range(1, 100_000, ErrorMessage = "Capacity must be a number from 1 to 100000, or empty for no limit.")]
        public int? Capacity { get; set; }

        [Range(1, 90, ErrorMessage = "Nudge after must be a number of days from 1 to 90, or empty for no nudges.")]
        public int? NudgeAfterDays { get; set; } = 7;

        public string? Lecturers { get; set; }

        public string? Coordinators { get; set; }

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            var localizer = validationContext.Localizer();
            if (EndsOn < StartsOn)
                yield return new ValidationResult(localizer["The end date must not be before the start date."], [nameof(EndsOn)]);
            if (!TimeZones.IsValid(TimeZoneId))
                yield return new ValidationResult(localizer["Choose a time zone from the list."], [nameof(TimeZoneId)]);
            if (!Enum.IsDefined(Policy))
                yield return new ValidationResult(localizer["Choose an enrolment policy."], [nameof(Policy)]);
            if (Policy == EnrolmentPolicy.InvitationCode && string.IsNullOrWhiteSpace(InvitationCode))
                yield return new ValidationResult(localizer["Set the invitation code trainees must enter."], [nameof(InvitationCode)]);
        }
    }
}
