using System.Globalization;
using System.Text.Json.Nodes;

namespace Cistrat.Learning.Core.Certificates;

/// <summary>Who issues the credentials: the centre, identified by the site's address.</summary>
/// <param name="Site">The public base address, e.g. <c>https://learning.example.org/</c>.</param>
public sealed record CredentialIssuer(Uri Site, string Name, string? Email = null)
{
    public string Id => new Uri(Site, "issuer").ToString();

    public string VerifyUrl(string serial) => new Uri(Site, $"verify/{serial}").ToString();

    public string StatusListUrl => new Uri(Site, "credentials/status/revocation").ToString();

    public string AchievementId(string courseSlug, CertificateKind kind) =>
        new Uri(Site, $"achievements/{Uri.EscapeDataString(courseSlug)}/{kind.ToString().ToLowerInvariant()}").ToString();
}

/// <summary>
/// Builds a certificate's Open Badges 3.0 <c>OpenBadgeCredential</c> (a W3C Verifiable Credential, data model 2.0)
/// as the payload of its VC-JWT: the credential's own members, then the JWT claims OB 3.0 section 8.2.4.1 maps them to.
/// </summary>
public static class OpenBadgeCredential
{
    public const string VcContext = "https://www.w3.org/ns/credentials/v2";
    public const string ObContext = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

    public static JsonObject Build(Certificate certificate, string courseSlug, string courseSummary, CredentialIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(issuer);
        var id = issuer.VerifyUrl(certificate.Serial);
        var subjectId = $"urn:uuid:{SubjectGuid(certificate.UserId)}";
        var issuedAt = new DateTimeOffset(DateTime.SpecifyKind(certificate.IssuedAt, DateTimeKind.Utc));
        var title = certificate.Kind == CertificateKind.Completion ? "Certificate of completion" : "Certificate of participation";
        var criteria = certificate.Kind == CertificateKind.Completion
            ? $"Met the completion rule set for {certificate.CohortName} (its required share of lessons, quizzes and live-session attendance)."
            : $"Attended the required share of the live sessions of {certificate.CohortName}.";
        var issuerProfile = new JsonObject { ["id"] = issuer.Id, ["type"] = new JsonArray("Profile"), ["name"] = issuer.Name, ["url"] = issuer.Site.ToString() };
        if (issuer.Email is { Length: > 0 } email)
            issuerProfile["email"] = email;

        return new JsonObject
        {
            ["@context"] = new JsonArray(VcContext, ObContext),
            ["id"] = id,
            ["type"] = new JsonArray("VerifiableCredential", "OpenBadgeCredential"),
            ["issuer"] = issuerProfile,
            ["validFrom"] = Iso(issuedAt),
            ["name"] = $"{title}: {certificate.CourseTitle}",
            ["credentialSubject"] = new JsonObject
            {
                ["id"] = subjectId,
                ["type"] = new JsonArray("AchievementSubject"),
                // The name is printed on the certificate anyway; an employer matches it against the person in front of them.
                ["identifier"] = new JsonArray(new JsonObject
                {
                    ["type"] = "IdentityObject", ["identityType"] = "name", ["hashed"] = false, ["identityHash"] = certificate.HolderName,
                }),
                ["achievement"] = new JsonObject
                {
                    ["id"] = issuer.AchievementId(courseSlug, certificate.Kind),
                    ["type"] = new JsonArray("Achievement"),
                    ["achievementType"] = "Certificate",
                    ["name"] = $"{title}: {certificate.CourseTitle}",
                    ["description"] = courseSummary,
                    ["criteria"] = new JsonObject { ["narrative"] = criteria },
                    ["creator"] = issuerProfile.DeepClone(),
                },
                ["activityStartDate"] = Iso(Midnight(certificate.StartsOn)),
                ["activityEndDate"] = Iso(Midnight(certificate.EndsOn)),
                ["creditsEarned"] = certificate.Hours,
                ["term"] = certificate.CohortName,
            },
            ["credentialStatus"] = new JsonObject
            {
                ["id"] = $"{issuer.StatusListUrl}#{certificate.StatusListIndex}",
                ["type"] = "BitstringStatusListEntry",
                ["statusPurpose"] = "revocation",
                ["statusListIndex"] = certificate.StatusListIndex.ToString(CultureInfo.InvariantCulture),
                ["statusListCredential"] = issuer.StatusListUrl,
            },
            // The registered claims (OB 3.0 section 8.2.4.1): iss = issuer.id, jti = id, sub = credentialSubject.id, nbf = validFrom.
            ["iss"] = issuer.Id,
            ["jti"] = id,
            ["sub"] = subjectId,
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
        };
    }

    /// <summary>The serial a credential names in its id (the verification URL ends with it).</summary>
    public static string? SerialOf(JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var id = payload["jti"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var slash = id?.LastIndexOf('/') ?? -1;
        return slash < 0 ? null : CertificateSerial.Normalize(id![(slash + 1)..]);
    }

    /// <summary>A stable subject id that does not expose the account's database key.</summary>
    private static Guid SubjectGuid(string userId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("cistrat-subject:" + userId));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static DateTimeOffset Midnight(DateOnly date) => new(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
