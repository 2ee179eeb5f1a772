using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Quizzes;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Cistrat.Learning.Core.Data;

public class LearningDbContext(DbContextOptions<LearningDbContext> options) : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<Course> Courses => Set<Course>();
    public DbSet<CourseTranslation> CourseTranslations => Set<CourseTranslation>();
    public DbSet<Module> Modules => Set<Module>();
    public DbSet<Lesson> Lessons => Set<Lesson>();
    public DbSet<LessonProgress> LessonProgress => Set<LessonProgress>();
    public DbSet<Cohort> Cohorts => Set<Cohort>();
    public DbSet<CohortStaff> CohortStaff => Set<CohortStaff>();
    public DbSet<Enrolment> Enrolments => Set<Enrolment>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<Quiz> Quizzes => Set<Quiz>();
    public DbSet<QuizAttempt> QuizAttempts => Set<QuizAttempt>();
    public DbSet<CompletionRecord> CompletionRecords => Set<CompletionRecord>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<LiveSession> LiveSessions => Set<LiveSession>();
    public DbSet<LiveSessionLecturer> LiveSessionLecturers => Set<LiveSessionLecturer>();
    public DbSet<RoomQuestion> RoomQuestions => Set<RoomQuestion>();
    public DbSet<QuestionVote> QuestionVotes => Set<QuestionVote>();
    public DbSet<RoomPoll> RoomPolls => Set<RoomPoll>();
    public DbSet<PollVote> PollVotes => Set<PollVote>();
    public DbSet<ChatMessage> ChatMessages => Set<ChatMessage>();
    public DbSet<RoomMute> RoomMutes => Set<RoomMute>();
    public DbSet<AttendanceVisit> AttendanceVisits => Set<AttendanceVisit>();
    public DbSet<CalendarFeed> CalendarFeeds => Set<CalendarFeed>();
    public DbSet<OutgoingMail> OutgoingMail => Set<OutgoingMail>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<Announcement> Announcements => Set<Announcement>();
    public DbSet<AnnouncementRecipient> AnnouncementRecipients => Set<AnnouncementRecipient>();
    public DbSet<Certificate> Certificates => Set<Certificate>();
    public DbSet<CertificateFile> CertificateFiles => Set<CertificateFile>();
    public DbSet<CertificateBatch> CertificateBatches => Set<CertificateBatch>();
    public DbSet<CertificateBatchItem> CertificateBatchItems => Set<CertificateBatchItem>();
    public DbSet<CertificateAuditEntry> CertificateAudit => Set<CertificateAuditEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(LearningDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Every stored time is UTC; the converter restores DateTimeKind.Utc on the way out, which neither
        // SQLite nor SQL Server's datetime2 keeps.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
