using Cistrat.Learning.Core.Cohorts;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Infrastructure;

/// <summary>Arranges cohorts directly in the database, for tests whose subject is not cohort editing itself.</summary>
public static class TestCohorts
{
    public static Task<int> CreateAsync(
        LearningAppFactory app,
        EnrolmentPolicy policy = EnrolmentPolicy.Open,
        string? code = null,
        int? capacity = null,
        (string UserId, StaffRole Role)[]? staff = null,
        int endsInDays = 30) =>
        app.WithDbAsync(async db =>
        {
            var course = await db.Courses.SingleAsync(c => c.Slug == TestContent.CourseSlug);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var cohort = new Cohort
            {
                CourseId = course.Id, Name = $"Cohort {Guid.NewGuid():n}"[..20], StartsOn = today.AddDays(-1), EndsOn = today.AddDays(endsInDays),
                TimeZoneId = "Africa/Addis_Ababa", Policy = policy, InvitationCode = code, Capacity = capacity, CreatedAt = DateTime.UtcNow,
            };
            foreach (var (userId, role) in staff ?? [])
                cohort.Staff.Add(new CohortStaff { UserId = userId, Role = role });
            db.Cohorts.Add(cohort);
            await db.SaveChangesAsync();
            return cohort.Id;
        });
}
