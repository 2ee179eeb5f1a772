using System.Security.Claims;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Features.Catalogue;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Learning;

/// <summary>A trainee's own courses: what they are enrolled in, how far they are, where to continue.</summary>
[Authorize]
public class DashboardModel(CourseCatalog catalog, LearningDbContext db, TimeProvider time) : PageModel
{
    public IReadOnlyList<CourseCard> Courses { get; private set; } = [];

    public IReadOnlyList<PendingRequest> Pending { get; private set; } = [];

    /// <summary>Coordinators' announcements to this person, newest first, from the last 60 days.</summary>
    public IReadOnlyList<AnnouncementItem> Announcements { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var enrolments = await db.Enrolments.AsNoTracking()
            .Where(e => e.UserId == userId && (e.Status == EnrolmentStatus.Active || e.Status == EnrolmentStatus.Pending))
            .Select(e => new { e.CohortId, e.Cohort!.Name, e.Cohort.CourseId, e.Status, e.Cohort.StartsOn, e.Cohort.EndsOn })
            .ToListAsync(ct);
        var progress = await db.LessonProgress.AsNoTracking().Where(p => p.UserId == userId).ToListAsync(ct);

        var cards = new List<CourseCard>();
        var pending = new List<PendingRequest>();
        foreach (var e in enrolments)
        {
            if (await catalog.FindAsync(e.CourseId, ct) is not { } course)
                continue;
            if (e.Status == EnrolmentStatus.Pending)
            {
                pending.Add(new PendingRequest(course, e.Name));
                continue;
            }

            var mine = progress.Where(p => p.CourseId == course.Id).ToList();
            var done = mine.Where(p => p.CompletedAt != null).Select(p => p.LessonId).ToHashSet();
            cards.Add(new CourseCard(course, e.Name, e.StartsOn, e.EndsOn, course.ProgressOf(done), Resume.Pick(course, mine),
                mine.Count == 0 ? null : mine.Max(p => p.LastVisitedAt)));
        }

        // The course touched last comes first: that is where the trainee most likely wants to continue.
        Courses = cards.OrderByDescending(c => c.LastActivity ?? DateTime.MinValue).ToList();
        Pending = pending;
        var since = time.GetUtcNow().UtcDateTime.AddDays(-60);
        Announcements = await db.AnnouncementRecipients.AsNoTracking()
            .Where(r => r.UserId == userId)
            .Join(db.Announcements, r => r.AnnouncementId, a => a.Id, (r, a) => a)
            .Where(a => a.CreatedAt >= since)
            .OrderByDescending(a => a.CreatedAt)
            .Take(10)
            .Select(a => new AnnouncementItem(a.Id, a.Subject, a.Body, a.CreatedAt,
                db.Cohorts.Where(c => c.Id == a.CohortId).Select(c => c.Name).First(),
                db.Users.Where(u => u.Id == a.AuthorId).Select(u => u.FullName).First()))
            .ToListAsync(ct);
    }

    public sealed record AnnouncementItem(int Id, string Subject, string Body, DateTime CreatedAt, string CohortName, string Author);

    public sealed record CourseCard(CourseOutline Course, string CohortName, DateOnly StartsOn, DateOnly EndsOn, CourseProgress Progress, LessonOutline? ContinueWith, DateTime? LastActivity);

    public sealed record PendingRequest(CourseOutline Course, string CohortName);
}
