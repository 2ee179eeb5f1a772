using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Quizzes;
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
        builder.Property(c => c.ParticipationAttendancePercent).HasDefaultValue(75).HasSentinel(-1);
        builder.HasOne(c => c.Course).WithMany().HasForeignKey(c => c.CourseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Staff).WithOne().HasForeignKey(s => s.CohortId);
        builder.HasMany(c => c.Enrolments).WithOne(e => e.Cohort).HasForeignKey(e => e.CohortId);
        builder.OwnsOne(c => c.CompletionRule, rule =>
        {
            // The sentinel lets an explicit 0 ("lessons not required") be written instead of replaced by the default.
            rule.Property(r => r.LessonSharePercent).HasColumnName("RuleLessonSharePercent").HasDefaultValue(100).HasSentinel(-1);
            rule.Property(r => r.Quizzes).HasColumnName("RuleQuizzes");
            rule.Property(r => r.RequiredQuizSlugs).HasColumnName("RuleRequiredQuizSlugs").HasMaxLength(2000);
            rule.Property(r => r.AttendanceSharePercent).HasColumnName("RuleAttendanceSharePercent");
            rule.Property(r => r.FinalDate).HasColumnName("RuleFinalDate");
            rule.Property(r => r.Version).HasColumnName("RuleVersion").HasDefaultValue(1);
        });
        builder.Navigation(c => c.CompletionRule).IsRequired();
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

internal sealed class QuizConfiguration : IEntityTypeConfiguration<Quiz>
{
    public void Configure(EntityTypeBuilder<Quiz> builder)
    {
        builder.HasIndex(q => new { q.CourseId, q.Slug }).IsUnique();
        builder.Property(q => q.Slug).HasMaxLength(100);
        builder.Property(q => q.Title).HasMaxLength(300);
        builder.Property(q => q.SourceHash).HasMaxLength(64);
        builder.Ignore(q => q.Definition);
        builder.HasOne<Course>().WithMany().HasForeignKey(q => q.CourseId);
        builder.HasOne<Module>().WithMany().HasForeignKey(q => q.ModuleId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class QuizAttemptConfiguration : IEntityTypeConfiguration<QuizAttempt>
{
    public void Configure(EntityTypeBuilder<QuizAttempt> builder)
    {
        builder.HasIndex(a => new { a.EnrolmentId, a.QuizId, a.Number }).IsUnique();
        builder.HasIndex(a => new { a.UserId, a.QuizId });
        builder.Ignore(a => a.Layout);
        builder.Ignore(a => a.Answers);
        builder.Ignore(a => a.IsOpen);
        builder.HasOne<Quiz>().WithMany().HasForeignKey(a => a.QuizId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne<Enrolment>().WithMany().HasForeignKey(a => a.EnrolmentId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class CompletionRecordConfiguration : IEntityTypeConfiguration<CompletionRecord>
{
    public void Configure(EntityTypeBuilder<CompletionRecord> builder)
    {
        // One completion per enrolment, whatever evaluates it twice.
        builder.HasIndex(r => r.EnrolmentId).IsUnique();
        builder.Property(r => r.RuleDescription).HasMaxLength(2000);
        builder.HasOne<Enrolment>().WithMany().HasForeignKey(r => r.EnrolmentId);
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.HasIndex(m => m.Key).IsUnique();
        builder.HasIndex(m => m.ProcessedAt);
        builder.Property(m => m.Kind).HasMaxLength(100);
        builder.Property(m => m.Key).HasMaxLength(200);
    }
}

internal sealed class OutgoingMailConfiguration : IEntityTypeConfiguration<OutgoingMail>
{
    public void Configure(EntityTypeBuilder<OutgoingMail> builder)
    {
        builder.ToTable("OutgoingMail");
        // What makes every mail go out once: whoever plans the same (recipient, subject, occasion) again finds it here.
        builder.HasIndex(m => m.Key).IsUnique();
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
        builder.HasIndex(m => new { m.CohortId, m.Status });
        builder.Property(m => m.Key).HasMaxLength(200);
        builder.Property(m => m.Kind).HasMaxLength(50);
        builder.Property(m => m.UserId).HasMaxLength(450);
        builder.Property(m => m.ToAddress).HasMaxLength(256);
        builder.Property(m => m.ToName).HasMaxLength(200);
        builder.Property(m => m.Language).HasMaxLength(20);
        builder.Property(m => m.TimeZoneId).HasMaxLength(100);
        builder.Property(m => m.LastError).HasMaxLength(1000);
    }
}

internal sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> builder)
    {
        builder.HasKey(p => new { p.UserId, p.Kind });
        builder.Property(p => p.Kind).HasMaxLength(50);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AnnouncementConfiguration : IEntityTypeConfiguration<Announcement>
{
    public void Configure(EntityTypeBuilder<Announcement> builder)
    {
        builder.HasIndex(a => new { a.CohortId, a.CreatedAt });
        builder.Property(a => a.Subject).HasMaxLength(AnnouncementService.SubjectMaxLength);
        builder.Property(a => a.Body).HasMaxLength(AnnouncementService.BodyMaxLength);
        builder.Property(a => a.Country).HasMaxLength(2);
        builder.HasOne<Cohort>().WithMany().HasForeignKey(a => a.CohortId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.AuthorId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(a => a.Recipients).WithOne().HasForeignKey(r => r.AnnouncementId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AnnouncementRecipientConfiguration : IEntityTypeConfiguration<AnnouncementRecipient>
{
    public void Configure(EntityTypeBuilder<AnnouncementRecipient> builder)
    {
        builder.HasKey(r => new { r.AnnouncementId, r.UserId });
        builder.HasIndex(r => r.UserId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LiveSessionConfiguration : IEntityTypeConfiguration<LiveSession>
{
    public void Configure(EntityTypeBuilder<LiveSession> builder)
    {
        builder.HasOne(s => s.Cohort).WithMany().HasForeignKey(s => s.CohortId);
        builder.HasIndex(s => new { s.CohortId, s.StartsAt });
        builder.HasIndex(s => s.Uid).IsUnique();
        builder.Property(s => s.Title).HasMaxLength(200);
        builder.Property(s => s.Description).HasMaxLength(4000);
        builder.Property(s => s.OrganiserTimeZoneId).HasMaxLength(64);
        builder.Property(s => s.AvLink).HasMaxLength(500);
        builder.Property(s => s.DeckTitle).HasMaxLength(200);
        builder.Property(s => s.Notes).HasMaxLength(LiveLimits.NotesLength);
        builder.Property(s => s.CreatedById).HasMaxLength(450);
        builder.HasMany(s => s.Lecturers).WithOne().HasForeignKey(l => l.SessionId);
        builder.Ignore(s => s.EndsAt);
    }
}

internal sealed class LiveSessionLecturerConfiguration : IEntityTypeConfiguration<LiveSessionLecturer>
{
    public void Configure(EntityTypeBuilder<LiveSessionLecturer> builder)
    {
        builder.HasKey(l => new { l.SessionId, l.UserId });
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(l => l.UserId);
    }
}

internal sealed class RoomQuestionConfiguration : IEntityTypeConfiguration<RoomQuestion>
{
    public void Configure(EntityTypeBuilder<RoomQuestion> builder)
    {
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(q => q.SessionId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(q => q.AuthorId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(q => q.SessionId);
        builder.Property(q => q.Text).HasMaxLength(LiveLimits.QuestionLength);
        builder.Property(q => q.Answer).HasMaxLength(LiveLimits.AnswerLength);
        builder.Property(q => q.AnsweredById).HasMaxLength(450);
    }
}

internal sealed class QuestionVoteConfiguration : IEntityTypeConfiguration<QuestionVote>
{
    public void Configure(EntityTypeBuilder<QuestionVote> builder)
    {
        builder.HasKey(v => new { v.QuestionId, v.UserId });
        builder.HasOne<RoomQuestion>().WithMany().HasForeignKey(v => v.QuestionId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RoomPollConfiguration : IEntityTypeConfiguration<RoomPoll>
{
    public void Configure(EntityTypeBuilder<RoomPoll> builder)
    {
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(p => p.SessionId);
        builder.HasIndex(p => p.SessionId);
        builder.Property(p => p.Question).HasMaxLength(LiveLimits.PollQuestionLength);
        builder.Property(p => p.OptionsJson).HasMaxLength(4000);
        builder.Property(p => p.CountsJson).HasMaxLength(400);
    }
}

internal sealed class PollVoteConfiguration : IEntityTypeConfiguration<PollVote>
{
    public void Configure(EntityTypeBuilder<PollVote> builder)
    {
        builder.HasKey(v => new { v.PollId, v.UserId });
        builder.HasOne<RoomPoll>().WithMany().HasForeignKey(v => v.PollId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ChatMessageConfiguration : IEntityTypeConfiguration<ChatMessage>
{
    public void Configure(EntityTypeBuilder<ChatMessage> builder)
    {
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(m => m.SessionId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.AuthorId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(m => new { m.SessionId, m.Id });
        builder.Property(m => m.Text).HasMaxLength(LiveLimits.ChatLength);
        builder.Property(m => m.DeletedById).HasMaxLength(450);
    }
}

internal sealed class RoomMuteConfiguration : IEntityTypeConfiguration<RoomMute>
{
    public void Configure(EntityTypeBuilder<RoomMute> builder)
    {
        builder.HasKey(m => new { m.SessionId, m.UserId });
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(m => m.SessionId);
        builder.Property(m => m.MutedById).HasMaxLength(450);
    }
}

internal sealed class AttendanceVisitConfiguration : IEntityTypeConfiguration<AttendanceVisit>
{
    public void Configure(EntityTypeBuilder<AttendanceVisit> builder)
    {
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(v => v.SessionId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(v => new { v.SessionId, v.UserId });
        builder.HasIndex(v => v.ConnectionId);
        builder.Property(v => v.ConnectionId).HasMaxLength(100);
    }
}

internal sealed class CalendarFeedConfiguration : IEntityTypeConfiguration<CalendarFeed>
{
    public void Configure(EntityTypeBuilder<CalendarFeed> builder)
    {
        builder.HasKey(f => f.UserId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(f => f.UserId);
        builder.HasIndex(f => f.TokenHash).IsUnique();
        builder.Property(f => f.TokenHash).HasMaxLength(64);
    }
}
