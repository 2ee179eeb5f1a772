using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cistrat.Learning.Core.Data;

internal sealed class ApplicationUserConfiguration : IEntityTypeConfiguration<ApplicationUser>
{
    public void Configure(EntityTypeBuilder<ApplicationUser> builder)
    {
        builder.Property(u => u.FullName).HasMaxLength(200);
        builder.Property(u => u.Country).HasMaxLength(2);
        builder.Property(u => u.Organisation).HasMaxLength(200);
        builder.Property(u => u.PreferredLanguage).HasMaxLength(10);
        builder.Property(u => u.TimeZoneId).HasMaxLength(64);
        builder.Property(u => u.Gender).HasMaxLength(64);
    }
}

internal sealed class CourseConfiguration : IEntityTypeConfiguration<Course>
{
    public void Configure(EntityTypeBuilder<Course> builder)
    {
        builder.HasIndex(c => c.Slug).IsUnique();
        builder.Property(c => c.Slug).HasMaxLength(100);
        builder.Property(c => c.Title).HasMaxLength(300);
        builder.Property(c => c.Summary).HasMaxLength(2000);
        builder.Property(c => c.Language).HasMaxLength(10);
        builder.Property(c => c.Licence).HasMaxLength(50);
        builder.Property(c => c.Authors).HasMaxLength(500);
        builder.Property(c => c.Themes).HasMaxLength(200);
        builder.Property(c => c.EstimatedHours).HasPrecision(6, 1);
        builder.HasMany(c => c.Translations).WithOne().HasForeignKey(t => t.CourseId);
        builder.HasMany(c => c.Modules).WithOne(m => m.Course).HasForeignKey(m => m.CourseId);
    }
}

internal sealed class CourseTranslationConfiguration : IEntityTypeConfiguration<CourseTranslation>
{
    public void Configure(EntityTypeBuilder<CourseTranslation> builder)
    {
        builder.HasIndex(t => new { t.CourseId, t.Language }).IsUnique();
        builder.Property(t => t.Language).HasMaxLength(10);
        builder.Property(t => t.Title).HasMaxLength(300);
        builder.Property(t => t.Summary).HasMaxLength(2000);
    }
}

internal sealed class ModuleConfiguration : IEntityTypeConfiguration<Module>
{
    public void Configure(EntityTypeBuilder<Module> builder)
    {
        builder.HasIndex(m => new { m.CourseId, m.Slug }).IsUnique();
        builder.Property(m => m.Slug).HasMaxLength(100);
        builder.Property(m => m.Title).HasMaxLength(300);
        builder.HasMany(m => m.Lessons).WithOne(l => l.Module).HasForeignKey(l => l.ModuleId);
    }
}

internal sealed class LessonConfiguration : IEntityTypeConfiguration<Lesson>
{
    public void Configure(EntityTypeBuilder<Lesson> builder)
    {
        builder.HasIndex(l => new { l.CourseId, l.Slug }).IsUnique();
        builder.Property(l => l.Slug).HasMaxLength(100);
        builder.Property(l => l.Title).HasMaxLength(300);
        builder.Property(l => l.Objectives).HasMaxLength(4000);
        builder.Property(l => l.SourceHash).HasMaxLength(64);
        builder.HasOne<Course>().WithMany().HasForeignKey(l => l.CourseId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class LessonProgressConfiguration : IEntityTypeConfiguration<LessonProgress>
{
    public void Configure(EntityTypeBuilder<LessonProgress> builder)
    {
        builder.HasKey(p => new { p.UserId, p.LessonId });
        builder.HasIndex(p => new { p.UserId, p.CourseId, p.LastVisitedAt });
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId);
        builder.HasOne<Lesson>().WithMany().HasForeignKey(p => p.LessonId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne<Course>().WithMany().HasForeignKey(p => p.CourseId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class CohortConfiguration : IEntityTypeConfiguration<Cohort>
{
    public void Configure(EntityTypeBuilder<Cohort> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.TimeZoneId).HasMaxLength(64);
        builder.Property(c => c.InvitationCode).HasMaxLength(64);
        builder.HasOne(c => c.Course).WithMany().HasForeignKey(c => c.CourseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Staff).WithOne().HasForeignKey(s => s.CohortId);
        builder.HasMany(c => c.Enrolments).WithOne(e => e.Cohort).HasForeignKey(e => e.CohortId);
    }
}

internal sealed class CohortStaffConfiguration : IEntityTypeConfiguration<CohortStaff>
{
    public void Configure(EntityTypeBuilder<CohortStaff> builder)
    {
        builder.HasKey(s => new { s.CohortId, s.UserId, s.Role });
        builder.HasIndex(s => s.UserId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId);
    }
}

internal sealed class EnrolmentConfiguration : IEntityTypeConfiguration<Enrolment>
{
    public void Configure(EntityTypeBuilder<Enrolment> builder)
    {
        builder.HasIndex(e => new { e.CohortId, e.UserId }).IsUnique();
        builder.HasIndex(e => e.UserId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(e => e.UserId);
        builder.Property(e => e.DecidedById).HasMaxLength(450);
    }
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.HasIndex(i => new { i.CohortId, i.NormalizedEmail }).IsUnique();
        builder.HasIndex(i => i.NormalizedEmail);
        builder.Property(i => i.NormalizedEmail).HasMaxLength(256);
        builder.Property(i => i.InvitedById).HasMaxLength(450);
        builder.HasOne<Cohort>().WithMany().HasForeignKey(i => i.CohortId);
    }
}
