using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Certificates;

public enum VerificationState
{
    Valid,
    Revoked,
    Superseded,
    Unknown,

    /// <summary>A pasted credential that is not genuine (forged, altered, not ours, expired).</summary>
    Invalid,
}

/// <summary>What the public verification page may show: the certificate's own statements, nothing more about the person.</summary>
public sealed record Verification(
    VerificationState State,
    string? Serial = null,
    string? HolderName = null,
    string? CourseTitle = null,
    string? CohortName = null,
    CertificateKind? Kind = null,
    DateOnly? StartsOn = null,
    DateOnly? EndsOn = null,
    DateTime? IssuedAt = null,
    DateTime? RevokedAt = null,
    string? SupersededBy = null,
    string? Problem = null,
    Certificate? Certificate = null);

/// <summary>Answers "is this certificate genuine and still valid?" for a serial or for a credential someone holds.</summary>
public sealed class CertificateVerifier(LearningDbContext db, CredentialKeyRing keys, TimeProvider time)
{
    public async Task<Verification> BySerialAsync(string? typed, CancellationToken ct)
    {
        if (CertificateSerial.Normalize(typed) is not { } serial)
            return new Verification(VerificationState.Unknown, Problem: VerificationMessages.NotASerial);
        var certificate = await db.Certificates.AsNoTracking().SingleOrDefaultAsync(c => c.Serial == serial, ct);
        if (certificate is null)
            return new Verification(VerificationState.Unknown, serial, Problem: VerificationMessages.NotIssued);
        var supersededBy = certificate.SupersededById is int newer
            ? await db.Certificates.AsNoTracking().Where(c => c.Id == newer).Select(c => c.Serial).SingleOrDefaultAsync(ct)
            : null;
        var state = certificate.Status switch
        {
            CertificateStatus.Valid => VerificationState.Valid,
            CertificateStatus.Revoked => VerificationState.Revoked,
            _ => VerificationState.Superseded,
        };
        return new Verification(state, certificate.Serial, certificate.HolderName, certificate.CourseTitle, certificate.CohortName, certificate.Kind,
            certificate.StartsOn, certificate.EndsOn, certificate.IssuedAt, certificate.RevokedAt, supersededBy, Certificate: certificate);
    }

    /// <summary>Checks a pasted or uploaded credential: signature, key, dates, then the certificate's status here.</summary>
    public async Task<Verification> ByCredentialAsync(string? token, CancellationToken ct)
    {
        var check = VcJwt.Verify(token, keys, time.GetUtcNow());
        if (!check.Valid)
            return new Verification(VerificationState.Invalid, Problem: check.Error);
        if (OpenBadgeCredential.SerialOf(check.Payload!) is not { } serial)
            return new Verification(VerificationState.Invalid, Problem: VerificationMessages.NoSerial);
        var found = await BySerialAsync(serial, ct);
        if (found.Certificate is { } certificate && certificate.CredentialJwt != token!.Trim())
        {
            // Signed by us but not the credential we issued for this serial: only possible with our key; say so plainly.
            return new Verification(VerificationState.Invalid, serial, Problem: VerificationMessages.Mismatch);
        }

        return found;
    }
}

/// <summary>The verifier's own verdicts, in English; the page translates them (the credential checks' reasons stay technical English).</summary>
public static class VerificationMessages
{
    public const string NotASerial = "This is not a certificate serial: it has four groups of four letters and digits, e.g. K7M2-9QP4-RT8V-WX3J. Check for a mistyped character.";
    public const string NotIssued = "No certificate with this serial was issued here.";
    public const string NoSerial = "The credential is signed by this issuer but names no certificate serial.";
    public const string Mismatch = "The credential does not match the certificate issued under this serial.";

    public static IReadOnlyList<string> All { get; } = [NotASerial, NotIssued, NoSerial, Mismatch];
}
