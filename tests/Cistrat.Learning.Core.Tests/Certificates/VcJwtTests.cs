using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cistrat.Learning.Core.Certificates;
using Jose;
using Base64Url = System.Buffers.Text.Base64Url;

namespace Cistrat.Learning.Core.Tests.Certificates;

/// <summary>
/// The credential verifies outside our code (jose-jwt, with the RSA key and with the key as published in the JWKS), and
/// our own verifier refuses every forged form, each for the reason that applies.
/// </summary>
public sealed class VcJwtTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static CredentialKey Ours => TestKeys.Issuer;

    private static CredentialKey Attacker => TestKeys.Attacker;

    [Fact]
    public void Sign_ProducesACompactRs256Jws_WithOurKid()
    {
        var token = Genuine();

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal(Ours.Kid, header.GetProperty("kid").GetString());
        Assert.False(header.TryGetProperty("jwk", out _));
        var check = VcJwt.Verify(token, TestKeys.Ring(), Now);
        Assert.True(check.Valid, check.Error);
        Assert.Equal(Ours.Kid, check.Kid);
        Assert.Equal("Ana Lima", HolderOf(check.Payload!));
    }

    [Fact]
    public void Sign_VerifiesWithJoseJwt_UsingThePublicRsaKey()
    {
        var token = Genuine();
        using var publicOnly = RSA.Create();
        publicOnly.ImportParameters(Ours.Rsa.ExportParameters(includePrivateParameters: false));

        var json = JWT.Decode(token, publicOnly, JwsAlgorithm.RS256);

        Assert.Equal("Ana Lima", JsonDocument.Parse(json).RootElement.GetProperty("credentialSubject").GetProperty("identifier")[0].GetProperty("identityHash").GetString());
        // The same library refuses the token under another key: the check above could have failed.
        using var other = RSA.Create();
        other.ImportParameters(Attacker.Rsa.ExportParameters(includePrivateParameters: false));
        Assert.ThrowsAny<JoseException>(() => JWT.Decode(token, other, JwsAlgorithm.RS256));
    }

    [Fact]
    public void Sign_VerifiesWithJoseJwt_UsingTheKeyAsPublishedInTheJwks()
    {
        // Not disposed: the ring would dispose the keys that every test shares.
        var ring = new CredentialKeyRing(Ours, [Attacker]);
        var token = Genuine();
        var jwksText = ring.Jwks().ToJsonString();

        // What a relying party does: read the JWKS as text, pick the key by the token's kid, verify with n and e.
        var kid = (string)JWT.Headers(token)["kid"];
        var published = JsonDocument.Parse(jwksText).RootElement.GetProperty("keys").EnumerateArray()
            .Single(k => k.GetProperty("kid").GetString() == kid);
        Assert.Equal("RSA", published.GetProperty("kty").GetString());
        var jwk = Jwk.FromDictionary(new Dictionary<string, object>
        {
            ["kty"] = "RSA", ["n"] = published.GetProperty("n").GetString()!, ["e"] = published.GetProperty("e").GetString()!,
        });

        var json = JWT.Decode(token, jwk, JwsAlgorithm.RS256);
        Assert.Contains("OpenBadgeCredential", json, StringComparison.Ordinal);

        // The other key in the same JWKS does not verify it: the JWKS publishes distinct, correct keys.
        var wrong = JsonDocument.Parse(jwksText).RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() != kid);
        var wrongJwk = Jwk.FromDictionary(new Dictionary<string, object>
        {
            ["kty"] = "RSA", ["n"] = wrong.GetProperty("n").GetString()!, ["e"] = wrong.GetProperty("e").GetString()!,
        });
        Assert.ThrowsAny<JoseException>(() => JWT.Decode(token, wrongJwk, JwsAlgorithm.RS256));
    }

    [Fact]
    public void Jwks_PublishesOnlyPublicMembers()
    {
        // Not disposed: the ring would dispose the keys that every test shares.
        var ring = new CredentialKeyRing(Ours, [Attacker]);

        var keys = JsonDocument.Parse(ring.Jwks().ToJsonString()).RootElement.GetProperty("keys").EnumerateArray().ToList();

        Assert.Equal(2, keys.Count);
        foreach (var key in keys)
        {
            var names = key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(["alg", "e", "kid", "kty", "n", "use"], names);
            Assert.Equal(("RSA", "sig", "RS256"), (key.GetProperty("kty").GetString(), key.GetProperty("use").GetString(), key.GetProperty("alg").GetString()));
        }
    }

    [Fact]
    public void Kid_IsTheRfc7638Thumbprint_ComputedIndependently()
    {
        var p = Ours.Rsa.ExportParameters(includePrivateParameters: false);
        // RFC 7638 section 3: required members only, in lexicographic order, no whitespace; then SHA-256, base64url.
        var canonical = $"{{\"e\":\"{B64u(p.Exponent!)}\",\"kty\":\"RSA\",\"n\":\"{B64u(p.Modulus!)}\"}}";
        var expected = B64u(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        Assert.Equal(expected, Ours.Kid);
        Assert.NotEqual(Ours.Kid, Attacker.Kid);
    }

    [Fact]
    public void Kid_MatchesTheRfc7638WorkedExample()
    {
        // RFC 7638 section 3.1: this key's thumbprint is NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
        const string n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = Base64Url.DecodeFromChars(n), Exponent = Base64Url.DecodeFromChars("AQAB") });
        using var key = new CredentialKey(rsa);

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key.Kid);
        Assert.Equal(n, key.N);
        Assert.Equal("AQAB", key.E);
    }

    [Fact]
    public void Verify_RejectsAChangedPayload_OneCharacterOfTheName()
    {
        var parts = Genuine().Split('.');
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        Assert.Contains("\"Ana Lima\"", json, StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.Replace("\"Ana Lima\"", "\"Ana Lina\"", StringComparison.Ordinal)))}.{parts[2]}";

        AssertRejected(forged, "signature");
        Assert.ThrowsAny<JoseException>(() => JWT.Decode(forged, Ours.Rsa, JwsAlgorithm.RS256));
    }

    [Fact]
    public void Verify_RejectsAChangedSignature()
    {
        var parts = Genuine().Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);
        signature[^1] ^= 0x01;

        AssertRejected($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}", "signature");
    }

    [Fact]
    public void Verify_RejectsAlgNone_WithoutASignature()
    {
        var payload = Genuine().Split('.')[1];
        var header = Header("none", Ours.Kid);

        AssertRejected($"{header}.{payload}.", "signature");
        AssertRejected($"{header}.{payload}", "three parts");
        AssertRejected($"{Header("none", null)}.{payload}.", "signature");
    }

    [Fact]
    public void Verify_RejectsAlgNone_WithASignaturePart()
    {
        var parts = Genuine().Split('.');

        // The genuine RS256 signature left in place: the header now says none, and none must never be accepted.
        AssertRejected($"{Header("none", Ours.Kid)}.{parts[1]}.{parts[2]}", "'none'");
        AssertRejected($"{Header("None", Ours.Kid)}.{parts[1]}.{parts[2]}", "'None'");
        AssertRejected($"{Header("NONE", Ours.Kid)}.{parts[1]}.{parts[2]}", "'NONE'");
    }

    public static TheoryData<string> PublicKeyAsSecret => ["spki-pem", "pkcs1-pem", "modulus", "jwk-n"];

    [Theory]
    [MemberData(nameof(PublicKeyAsSecret))]
    public void Verify_RejectsHs256_SignedWithThePublicKeyAsTheSecret(string form)
    {
        var secret = form switch
        {
            "spki-pem" => Encoding.ASCII.GetBytes(Ours.Rsa.ExportSubjectPublicKeyInfoPem()),
            "pkcs1-pem" => Encoding.ASCII.GetBytes(Ours.Rsa.ExportRSAPublicKeyPem()),
            "modulus" => Ours.Rsa.ExportParameters(false).Modulus!,
            _ => Encoding.ASCII.GetBytes(Ours.N),
        };
        var payload = Genuine().Split('.')[1];
        var header = Header("HS256", Ours.Kid);
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes($"{header}.{payload}"));
        var forged = $"{header}.{payload}.{Base64Url.EncodeToString(signature)}";
        // The forgery is well made: a naive verifier that takes the algorithm from the header and uses the key as HMAC secret accepts it.
        Assert.Equal(JWT.Payload(forged), JWT.Decode(forged, secret, JwsAlgorithm.HS256));

        AssertRejected(forged, "HS256");
    }

    [Fact]
    public void Verify_RejectsAJwkHeader_CarryingTheAttackersKey()
    {
        var payload = Payload();

        // Our kid, the attacker's key embedded, signed with the attacker's key.
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Ours.Kid, ["jwk"] = Attacker.PublicJwk() }, payload, Attacker), "jwk");
        // The attacker's kid and key: not a key this issuer publishes.
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Attacker.Kid, ["jwk"] = Attacker.PublicJwk() }, payload, Attacker), "kid");
        // No kid at all, only the embedded key.
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["jwk"] = Attacker.PublicJwk() }, payload, Attacker), "kid");
        // Our own key embedded, but the signature is the attacker's.
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Ours.Kid, ["jwk"] = Ours.PublicJwk() }, payload, Attacker), "signature");
        // The attacker's modulus with our exponent and kid.
        var mixed = Ours.PublicJwk();
        mixed["n"] = Attacker.N;
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Ours.Kid, ["jwk"] = mixed }, payload, Attacker), "jwk");
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Ours.Kid, ["jwk"] = "not a key" }, payload, Ours), "jwk");
    }

    [Theory]
    [InlineData("jku", "https://attacker.example/.well-known/jwks.json")]
    [InlineData("x5u", "https://attacker.example/cert.pem")]
    public void Verify_RejectsAHeaderNamingAKeyUrl(string name, string url)
    {
        var payload = Payload();

        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Attacker.Kid, [name] = url }, payload, Attacker), name);
        // Even signed by our own key, a token that points elsewhere for its key is refused.
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Ours.Kid, [name] = url }, payload, Ours), name);
    }

    [Fact]
    public void Verify_RejectsAnX5cHeader_AndCriticalExtensions()
    {
        var payload = Payload();

        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Ours.Kid, ["x5c"] = new JsonArray("MIIB") }, payload, Ours), "x5c");
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Ours.Kid, ["crit"] = new JsonArray("b64"), ["b64"] = false }, payload, Ours), "critical");
    }

    [Fact]
    public void Verify_RejectsAnUnknownKid_SignedByAnotherKey()
    {
        var token = VcJwt.Sign(Payload(), Attacker);

        AssertRejected(token, "unknown 'kid'");
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256" }, Payload(), Ours), "unknown 'kid'");
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = 42 }, Payload(), Ours), "unknown 'kid'");
        // Our kid on the attacker's signature.
        AssertRejected(Forge(new JsonObject { ["alg"] = "RS256", ["kid"] = Ours.Kid }, Payload(), Attacker), "signature");
    }

    [Fact]
    public void Verify_RejectsAnExpiredCredential()
    {
        var exp = Payload();
        exp["exp"] = Now.AddHours(-1).ToUnixTimeSeconds();
        var until = Payload();
        until["validUntil"] = "2026-05-01T11:00:00Z";

        AssertRejected(VcJwt.Sign(exp, Ours), "expired");
        AssertRejected(VcJwt.Sign(until, Ours), "expired");

        // Within the five-minute leeway it still counts: the rejection above is about the time, not the member.
        exp["exp"] = Now.AddMinutes(-4).ToUnixTimeSeconds();
        Assert.True(VcJwt.Verify(VcJwt.Sign(exp, Ours), TestKeys.Ring(), Now).Valid);
    }

    [Fact]
    public void Verify_RejectsANotYetValidCredential()
    {
        var nbf = Payload();
        nbf["nbf"] = Now.AddHours(1).ToUnixTimeSeconds();
        var validFrom = Payload();
        validFrom.Remove("nbf");
        validFrom["validFrom"] = "2026-05-01T13:00:00Z";
        var both = OpenBadgeCredential.Build(CertificateSamples.Certificate(issuedAt: Now.AddDays(1).UtcDateTime), "evidence", "s", CertificateSamples.Issuer);

        AssertRejected(VcJwt.Sign(nbf, Ours), "not valid before");
        AssertRejected(VcJwt.Sign(validFrom, Ours), "not valid before");
        AssertRejected(VcJwt.Sign(both, Ours), "not valid before");

        nbf["nbf"] = Now.AddMinutes(4).ToUnixTimeSeconds();
        Assert.True(VcJwt.Verify(VcJwt.Sign(nbf, Ours), TestKeys.Ring(), Now).Valid);
    }

    [Fact]
    public void Verify_RejectsTruncatedTokens()
    {
        var token = Genuine();
        var parts = token.Split('.');

        AssertRejected(parts[0], "three parts");
        AssertRejected($"{parts[0]}.{parts[1]}", "three parts");
        AssertRejected($"{parts[0]}.{parts[1]}.", "signature");
        AssertRejected(token[..^1], "signature");
        AssertRejected(token[..^2], "signature");
        AssertRejected($"{parts[0]}.{parts[1][..^3]}.{parts[2]}", "JSON");
        AssertRejected($"{token}.{parts[2]}", "three parts");
        AssertRejected("", "empty");
        AssertRejected(null, "empty");
        AssertRejected(new string('a', 70_000), "too long");
    }

    [Fact]
    public void Verify_RejectsNonBase64AndNonJsonParts()
    {
        var parts = Genuine().Split('.');
        string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

        AssertRejected($"!!!.{parts[1]}.{parts[2]}", "base64url");
        AssertRejected($"{parts[0]}.%%%.{parts[2]}", "base64url");
        AssertRejected($"{parts[0]}.{parts[1]}.***", "signature");
        AssertRejected($"{B64("not json")}.{parts[1]}.{parts[2]}", "JSON");
        AssertRejected($"{parts[0]}.{B64("{\"unterminated\":")}.{parts[2]}", "JSON");
        AssertRejected($"{parts[0]}.{B64("[1,2,3]")}.{parts[2]}", "JSON");
        AssertRejected($"{B64("\"RS256\"")}.{parts[1]}.{parts[2]}", "JSON");
        AssertRejected($"{parts[0]}.{B64(new string('[', 10_000))}.{parts[2]}", "JSON");
    }

    [Fact]
    public void Verify_RejectsAHeaderNamingAMemberTwice_WithoutThrowing()
    {
        var parts = Genuine().Split('.');
        string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

        // RFC 7515 section 4: a JWS whose header names a member twice is rejected (or read as its last value, here "none").
        AssertRejected($"{B64($"{{\"alg\":\"RS256\",\"kid\":\"{Ours.Kid}\",\"alg\":\"none\"}}")}.{parts[1]}.{parts[2]}", "JSON");
        AssertRejected($"{B64($"{{\"alg\":\"RS256\",\"kid\":\"{Ours.Kid}\",\"jwk\":{{\"n\":\"{Ours.N}\",\"n\":\"x\"}}}}")}.{parts[1]}.{parts[2]}", "JSON");
    }

    [Fact]
    public void Verify_RejectsASignatureWithPaddingOrWhitespace()
    {
        var parts = Genuine().Split('.');

        // Base64 decoders commonly skip both; a verifier that "accepts exactly what the signer produces" does not.
        AssertRejected($"{parts[0]}.{parts[1]}.{parts[2]}==", "signature");
        AssertRejected($"{parts[0]}.{parts[1]}.{parts[2][..10]} {parts[2][10..]}", "signature");
        AssertRejected($"{parts[0]}.{parts[1]}.{parts[2][..10]}\n{parts[2][10..]}", "signature");
    }

    private static JsonObject Payload(string holder = "Ana Lima") =>
        OpenBadgeCredential.Build(CertificateSamples.Certificate(holder: holder, issuedAt: Now.AddDays(-1).UtcDateTime), "evidence", "About evidence.", CertificateSamples.Issuer);

    private static string Genuine() => VcJwt.Sign(Payload(), Ours);

    private static string HolderOf(JsonObject payload) => payload["credentialSubject"]!["identifier"]![0]!["identityHash"]!.GetValue<string>();

    private static string Header(string alg, string? kid)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null)
            header["kid"] = kid;
        return VcJwt.Encode(header);
    }

    /// <summary>A token with any header, RS256-signed by the given key (the attacker's, usually).</summary>
    private static string Forge(JsonObject header, JsonObject payload, CredentialKey signer)
    {
        var input = $"{VcJwt.Encode(header)}.{VcJwt.Encode(payload)}";
        var signature = signer.Rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{input}.{Base64Url.EncodeToString(signature)}";
    }

    private static void AssertRejected(string? token, string reason)
    {
        var check = VcJwt.Verify(token, TestKeys.Ring(), Now);
        Assert.False(check.Valid, $"A forged token was accepted: {token}");
        Assert.Null(check.Payload);
        Assert.False(string.IsNullOrWhiteSpace(check.Error));
        Assert.Contains(reason, check.Error, StringComparison.OrdinalIgnoreCase);
    }

    private static string B64u(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
