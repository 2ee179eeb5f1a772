using Cistrat.Learning.Core.Certificates;

namespace Cistrat.Learning.Core.Tests.Certificates;

internal static class CertificateSamples
{
    public static readonly CredentialIssuer Issuer = new(new Uri("https://learning.example.org/"), "Cistrat Training Centre", "certificates@example.org");

    public static Certificate Certificate(string holder = "Ana Lima", DateTime? issuedAt = null, CertificateKind kind = CertificateKind.Completion, int statusIndex = 4242) => new()
    {
        Id = 17,
        Serial = CertificateSerial.New(),
        EnrolmentId = 5,
        CohortId = 3,
        UserId = "user-ana",
        Kind = kind,
        Status = CertificateStatus.Valid,
        HolderName = holder,
        CourseTitle = "Evidence for policy",
        CohortName = "Dili, spring 2026",
        StartsOn = new DateOnly(2026, 3, 2),
        EndsOn = new DateOnly(2026, 4, 24),
        Hours = 12.5m,
        Lecturers = "Grace Hopper, Ada Lovelace",
        IssuedAt = issuedAt ?? new DateTime(2026, 4, 25, 9, 30, 15, DateTimeKind.Utc),
        StatusListIndex = statusIndex,
    };
}
