using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cistrat.Learning.Core.Certificates;

namespace Cistrat.Learning.Core.Tests.Certificates;

/// <summary>The credential's JSON against what Open Badges 3.0 (section 8.2, VC-JWT) and VC data model 2.0 require.</summary>
public sealed class OpenBadgeCredentialTests
{
    private static readonly CredentialIssuer Issuer = CertificateSamples.Issuer;

    [Fact]
    public void Build_StartsWithTheVcContext_ThenTheOpenBadgesContext()
    {
        var credential = Parse(OpenBadgeCredential.Build(CertificateSamples.Certificate(), "evidence", "About evidence.", Issuer));

        var contexts = credential.GetProperty("@context").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal("https://www.w3.org/ns/credentials/v2", contexts[0]);
        Assert.Matches(@"^https://purl\.imsglobal\.org/spec/ob/v3p0/context-3\.0\.\d+\.json$", contexts[1]);
        Assert.Equal(2, contexts.Count);
    }

    [Fact]
    public void Build_HasTheTypesIssuerProfileAndValidity()
    {
        var certificate = CertificateSamples.Certificate();
        var credential = Parse(OpenBadgeCredential.Build(certificate, "evidence", "About evidence.", Issuer));

        var types = Strings(credential.GetProperty("type"));
        Assert.Contains("VerifiableCredential", types);
        Assert.Contains("OpenBadgeCredential", types);
        Assert.Equal($"https://learning.example.org/verify/{certificate.Serial}", credential.GetProperty("id").GetString());
        Assert.False(string.IsNullOrWhiteSpace(credential.GetProperty("name").GetString()));

        var issuer = credential.GetProperty("issuer");
        Assert.Equal("https://learning.example.org/issuer", issuer.GetProperty("id").GetString());
        Assert.Contains("Profile", Strings(issuer.GetProperty("type")));
        Assert.Equal("Cistrat Training Centre", issuer.GetProperty("name").GetString());

        var validFrom = credential.GetProperty("validFrom").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", validFrom);
        Assert.Equal(new DateTimeOffset(2026, 4, 25, 9, 30, 15, TimeSpan.Zero),
            DateTimeOffset.Parse(validFrom, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    [Fact]
    public void Build_HasAnAchievementSubject_WithItsAchievementAndCriteria()
    {
        var credential = Parse(OpenBadgeCredential.Build(CertificateSamples.Certificate(), "evidence", "About evidence.", Issuer));

        var subject = credential.GetProperty("credentialSubject");
        Assert.Contains("AchievementSubject", Strings(subject.GetProperty("type")));
        Assert.StartsWith("urn:uuid:", subject.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(subject.GetProperty("id").GetString()!["urn:uuid:".Length..], out _));
        // The subject id must not leak the account's database key.
        Assert.DoesNotContain("user-ana", subject.GetRawText(), StringComparison.Ordinal);

        var achievement = subject.GetProperty("achievement");
        Assert.Equal("https://learning.example.org/achievements/evidence/completion", achievement.GetProperty("id").GetString());
        Assert.Contains("Achievement", Strings(achievement.GetProperty("type")));
        Assert.Contains("Evidence for policy", achievement.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(achievement.GetProperty("criteria").GetProperty("narrative").GetString()));
    }

    [Fact]
    public void Build_NamesTheParticipationAchievement_ForAParticipationCertificate()
    {
        var completion = Parse(OpenBadgeCredential.Build(CertificateSamples.Certificate(), "evidence", "s", Issuer));
        var participation = Parse(OpenBadgeCredential.Build(CertificateSamples.Certificate(kind: CertificateKind.Participation), "evidence", "s", Issuer));

        string Id(JsonElement c) => c.GetProperty("credentialSubject").GetProperty("achievement").GetProperty("id").GetString()!;
        Assert.Equal("https://learning.example.org/achievements/evidence/participation", Id(participation));
        Assert.NotEqual(Id(completion), Id(participation));
    }

    [Fact]
    public void Build_PointsToTheRevocationStatusList()
    {
        var credential = Parse(OpenBadgeCredential.Build(CertificateSamples.Certificate(statusIndex: 131_071), "evidence", "s", Issuer));

        var status = credential.GetProperty("credentialStatus");
        Assert.Equal("BitstringStatusListEntry", status.GetProperty("type").GetString());
        Assert.Equal("revocation", status.GetProperty("statusPurpose").GetString());
        // VC Bitstring Status List: statusListIndex is a string holding the integer.
        Assert.Equal(JsonValueKind.String, status.GetProperty("statusListIndex").ValueKind);
        Assert.Equal("131071", status.GetProperty("statusListIndex").GetString());
        Assert.Equal("https://learning.example.org/credentials/status/revocation", status.GetProperty("statusListCredential").GetString());
        Assert.True(Uri.IsWellFormedUriString(status.GetProperty("id").GetString(), UriKind.Absolute));
    }

    [Fact]
    public void Build_RegisteredClaims_RepeatTheCredentialMembers()
    {
        var credential = Parse(OpenBadgeCredential.Build(CertificateSamples.Certificate(), "evidence", "s", Issuer));

        Assert.Equal(credential.GetProperty("issuer").GetProperty("id").GetString(), credential.GetProperty("iss").GetString());
        Assert.Equal(credential.GetProperty("id").GetString(), credential.GetProperty("jti").GetString());
        Assert.Equal(credential.GetProperty("credentialSubject").GetProperty("id").GetString(), credential.GetProperty("sub").GetString());
        var validFrom = DateTimeOffset.Parse(credential.GetProperty("validFrom").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.Equal(JsonValueKind.Number, credential.GetProperty("nbf").ValueKind);
        Assert.Equal(validFrom.ToUnixTimeSeconds(), credential.GetProperty("nbf").GetInt64());
        Assert.Equal(1_777_109_415, credential.GetProperty("nbf").GetInt64());
    }

    [Fact]
    public void Build_SubjectIdIsStablePerUser_AndDiffersBetweenUsers()
    {
        var a = CertificateSamples.Certificate();
        var b = CertificateSamples.Certificate();
        var c = CertificateSamples.Certificate();
        c.UserId = "user-ben";

        string Sub(Certificate x) => OpenBadgeCredential.Build(x, "evidence", "s", Issuer)["sub"]!.GetValue<string>();
        Assert.Equal(Sub(a), Sub(b));
        Assert.NotEqual(Sub(a), Sub(c));
    }

    [Theory]
    [InlineData("فاطمة الزهراء عبد الله")]
    [InlineData("王芳")]
    [InlineData("Zoë Nguyễn-Ångström")]
    public void Build_KeepsTheHoldersNameExactly_ThroughSigningAndVerifying(string name)
    {
        var payload = OpenBadgeCredential.Build(CertificateSamples.Certificate(holder: name), "evidence", "s", Issuer);
        var token = VcJwt.Sign(payload, TestKeys.Issuer);

        var check = VcJwt.Verify(token, TestKeys.Ring(), new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.True(check.Valid, check.Error);
        var identity = Assert.Single(check.Payload!["credentialSubject"]!["identifier"]!.AsArray())!;
        Assert.Equal(name, identity["identityHash"]!.GetValue<string>());
        Assert.Equal("name", identity["identityType"]!.GetValue<string>());
        Assert.False(identity["hashed"]!.GetValue<bool>());
        // Independently of our own parser, the JSON text decodes to the same code points.
        var json = JWTPayload(token);
        Assert.Equal(name, JsonDocument.Parse(json).RootElement.GetProperty("credentialSubject").GetProperty("identifier")[0].GetProperty("identityHash").GetString());
    }

    [Fact]
    public void SerialOf_ReadsTheSerialFromTheJti()
    {
        var certificate = CertificateSamples.Certificate();
        var payload = OpenBadgeCredential.Build(certificate, "evidence", "s", Issuer);

        Assert.Equal(certificate.Serial, OpenBadgeCredential.SerialOf(payload));
        payload["jti"] = "https://learning.example.org/verify/not-a-serial";
        Assert.Null(OpenBadgeCredential.SerialOf(payload));
    }

    private static JsonElement Parse(JsonObject payload) => JsonDocument.Parse(payload.ToJsonString()).RootElement;

    private static List<string?> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString())];

    private static string JWTPayload(string token) => Jose.JWT.Payload(token);
}
