using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cistrat.Learning.Core.Certificates;

public enum CertificateKind
{
    /// <summary>The trainee met the cohort's completion rule.</summary>
    Completion = 0,

    /// <summary>The trainee attended enough of the live sessions (attendance only).</summary>
    Participation = 1,
}

public enum CertificateStatus
{
    Valid = 0,
    Revoked = 1,

    /// <summary>Replaced by a corrected certificate (e.g. after a name correction); the replacement is valid.</summary>
    Superseded = 2,
}

/// <summary>
/// One issued certificate. What it says (holder's name, course, dates) is copied in when it is minted, so a later
/// change to a profile or a course never changes a certificate already in someone's hands.
/// </summary>
public class Certificate
{
    public int Id { get; set; }

    /// <summary>Unguessable public identifier, e.g. <c>K7M2-9QP4-RT8V-WX3J</c>; see <see cref="CertificateSerial"/>.</summary>
    public required string Serial { get; set; }

    public int EnrolmentId { get; set; }
    public int CohortId { get; set; }
    public required string UserId { get; set; }
    public CertificateKind Kind { get; set; }

    /// <summary>1 for the first certificate of an enrolment and kind, one more for each re-issue; unique with both.</summary>
    public int Revision { get; set; } = 1;

    public CertificateStatus Status { get; set; }
    public required string HolderName { get; set; }
    public required string CourseTitle { get; set; }
    public required string CohortName { get; set; }
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    public decimal Hours { get; set; }

    /// <summary>The cohort's lecturers at issue time, comma-separated.</summary>
    public string Lecturers { get; set; } = "";

    public DateTime IssuedAt { get; set; }
    public string? IssuedById { get; set; }

    /// <summary>Position of this certificate in the published revocation status list.</summary>
    public int StatusListIndex { get; set; }

    /// <summary>The signed OpenBadgeCredential (VC-JWT, compact form).</summary>
    public string CredentialJwt { get; set; } = "";

    public DateTime? RevokedAt { get; set; }
    public string? RevokedById { get; set; }
    public string? RevocationReason { get; set; }

    /// <summary>The certificate this one corrects, when it is a re-issue.</summary>
    public int? ReplacesId { get; set; }
    public int? SupersededById { get; set; }
}

/// <summary>The rendered PDF, in the database so that every web node serves it and a backup holds it.</summary>
public class CertificateFile
{
    public int CertificateId { get; set; }
    public required byte[] Pdf { get; set; }
    public required string Sha256 { get; set; }
    public DateTime RenderedAt { get; set; }
}

public enum BatchItemStatus
{
    Pending = 0,
    Done = 1,
    Failed = 2,
}

/// <summary>A coordinator's request to issue certificates of one kind to several trainees; one job per item.</summary>
public class CertificateBatch
{
    public int Id { get; set; }
    public int CohortId { get; set; }
    public CertificateKind Kind { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Null when the batch was started by the cohort's automatic issuing.</summary>
    public string? RequestedById { get; set; }

    public bool Automatic { get; set; }

    /// <summary>When the batch's jobs were handed to the job server (null: not yet; the sweep hands them over).</summary>
    public DateTime? EnqueuedAt { get; set; }

    public List<CertificateBatchItem> Items { get; } = [];
}

public class CertificateBatchItem
{
    public int Id { get; set; }
    public int BatchId { get; set; }
    public int EnrolmentId { get; set; }
    public BatchItemStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? Error { get; set; }

    /// <summary>Set in the same transaction as the certificate is minted: a retried job finds its certificate here.</summary>
    public int? CertificateId { get; set; }

    /// <summary>For a re-issue: the certificate the new one replaces.</summary>
    public int? ReplacesId { get; set; }

    public DateTime? FinishedAt { get; set; }
}

public enum AuditAction
{
    Issued = 0,
    Revoked = 1,
    Reissued = 2,
    BatchStarted = 3,
    SettingsChanged = 4,
    Downloaded = 5,
}

/// <summary>Who did what to which certificate, and when. Rows are only ever added.</summary>
public class CertificateAuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public int CohortId { get; set; }
    public int? CertificateId { get; set; }

    /// <summary>Null for the system (automatic issuing).</summary>
    public string? ActorId { get; set; }

    public AuditAction Action { get; set; }
    public string Detail { get; set; } = "";
}

internal sealed class CertificateConfiguration : IEntityTypeConfiguration<Certificate>
{
    public void Configure(EntityTypeBuilder<Certificate> builder)
    {
        builder.HasIndex(c => c.Serial).IsUnique();
        // One certificate per enrolment, kind and revision: a job run twice cannot mint a second one.
        builder.HasIndex(c => new { c.EnrolmentId, c.Kind, c.Revision }).IsUnique();
        builder.HasIndex(c => c.StatusListIndex).IsUnique();
        builder.HasIndex(c => c.CohortId);
        builder.HasIndex(c => c.UserId);
        builder.Property(c => c.Serial).HasMaxLength(32);
        builder.Property(c => c.HolderName).HasMaxLength(200);
        builder.Property(c => c.CourseTitle).HasMaxLength(300);
        builder.Property(c => c.CohortName).HasMaxLength(200);
        builder.Property(c => c.Lecturers).HasMaxLength(1000);
        builder.Property(c => c.Hours).HasPrecision(6, 1);
        builder.Property(c => c.IssuedById).HasMaxLength(450);
        builder.Property(c => c.RevokedById).HasMaxLength(450);
        builder.Property(c => c.RevocationReason).HasMaxLength(1000);
        builder.HasOne<Enrolment>().WithMany().HasForeignKey(c => c.EnrolmentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Cohort>().WithMany().HasForeignKey(c => c.CohortId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class CertificateFileConfiguration : IEntityTypeConfiguration<CertificateFile>
{
    public void Configure(EntityTypeBuilder<CertificateFile> builder)
    {
        builder.HasKey(f => f.CertificateId);
        builder.Property(f => f.Sha256).HasMaxLength(64);
        builder.HasOne<Certificate>().WithOne().HasForeignKey<CertificateFile>(f => f.CertificateId);
    }
}

internal sealed class CertificateBatchConfiguration : IEntityTypeConfiguration<CertificateBatch>
{
    public void Configure(EntityTypeBuilder<CertificateBatch> builder)
    {
        builder.HasIndex(b => b.CohortId);
        builder.Property(b => b.RequestedById).HasMaxLength(450);
        builder.HasOne<Cohort>().WithMany().HasForeignKey(b => b.CohortId);
        builder.HasMany(b => b.Items).WithOne().HasForeignKey(i => i.BatchId);
    }
}

internal sealed class CertificateBatchItemConfiguration : IEntityTypeConfiguration<CertificateBatchItem>
{
    public void Configure(EntityTypeBuilder<CertificateBatchItem> builder)
    {
        builder.HasIndex(i => new { i.BatchId, i.EnrolmentId }).IsUnique();
        builder.HasIndex(i => i.Status);
        builder.Property(i => i.Error).HasMaxLength(2000);
        builder.HasOne<Enrolment>().WithMany().HasForeignKey(i => i.EnrolmentId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class CertificateAuditEntryConfiguration : IEntityTypeConfiguration<CertificateAuditEntry>
{
    public void Configure(EntityTypeBuilder<CertificateAuditEntry> builder)
    {
        builder.HasIndex(a => new { a.CohortId, a.At });
        builder.HasIndex(a => a.CertificateId);
        builder.Property(a => a.ActorId).HasMaxLength(450);
        builder.Property(a => a.Detail).HasMaxLength(2000);
    }
}
