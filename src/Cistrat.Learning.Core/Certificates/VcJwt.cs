using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cistrat.Learning.Core.Certificates;

/// <summary>
/// The compact JWS form of a credential (Open Badges 3.0 section 8.2, VC-JWT): the payload is the credential itself
/// plus the registered claims it implies, signed RS256. The verifier accepts exactly what the signer produces and
/// nothing else: one algorithm, keys from our own key ring only, never a key or key URL named by the token.
/// </summary>
public static class VcJwt
{
    public const string Algorithm = "RS256";

    public static string Sign(JsonObject payload, CredentialKey key)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(key);
        var header = new JsonObject { ["alg"] = Algorithm, ["typ"] = "JWT", ["kid"] = key.Kid };
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        var signature = key.Rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>Checks the form, header, signature and validity period; revocation is the caller's next question.</summary>
    public static JwtCheck Verify(string? token, CredentialKeyRing keys, DateTimeOffset now, TimeSpan? leeway = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var skew = leeway ?? TimeSpan.FromMinutes(5);
        token = token?.Trim();
        if (string.IsNullOrEmpty(token) || token.Length > 64 * 1024)
            return JwtCheck.Fail("This is not a credential: it is empty or far too long.");
        var parts = token.Split('.');
        if (parts.Length != 3)
            return JwtCheck.Fail("This is not a signed credential in compact JWT form (three parts separated by dots).");
        if (Decode(parts[0]) is not JsonObject header || Decode(parts[1]) is not JsonObject payload)
            return JwtCheck.Fail("The credential's header or payload is not base64url-encoded JSON.");
        if (!IsCompactPart(parts[2]))
            return JwtCheck.Fail("The credential carries no signature.");

        if (Text(header, "alg") != Algorithm)
            return JwtCheck.Fail($"The credential is signed with '{Text(header, "alg") ?? "nothing"}', not {Algorithm}: refused.");
        if (header.ContainsKey("crit"))
            return JwtCheck.Fail("The credential asks for critical header extensions this verifier does not know.");
        foreach (var name in new[] { "jku", "x5u", "x5c" })
        {
            if (header.ContainsKey(name))
                return JwtCheck.Fail($"The credential names its own key source ('{name}'); only this issuer's published keys are trusted.");
        }

        var key = keys.Find(Text(header, "kid"));
        if (key is null)
            return JwtCheck.Fail("The credential was not signed with any key this issuer publishes (unknown 'kid').");
        if (header["jwk"] is { } embedded && (embedded is not JsonObject jwk || Text(jwk, "n") != key.N || Text(jwk, "e") != key.E))
            return JwtCheck.Fail("The credential carries a key ('jwk') other than the issuer's published key.");

        var signature = Base64Url.DecodeFromChars(parts[2]);
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        if (!key.Rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return JwtCheck.Fail("The signature does not match: the credential was changed after it was signed, or not signed by this issuer.");

        var seconds = now.ToUnixTimeSeconds();
        if (Number(payload, "nbf") is long nbf && nbf > seconds + (long)skew.TotalSeconds)
            return JwtCheck.Fail($"The credential is not valid before {DateTimeOffset.FromUnixTimeSeconds(nbf):u}.");
        if (Number(payload, "exp") is long exp && exp <= seconds - (long)skew.TotalSeconds)
            return JwtCheck.Fail($"The credential expired at {DateTimeOffset.FromUnixTimeSeconds(exp):u}.");
        if (Date(payload, "validFrom") is { } from && from > now + skew)
            return JwtCheck.Fail($"The credential is not valid before {from:u}.");
        if (Date(payload, "validUntil") is { } until && until <= now - skew)
            return JwtCheck.Fail($"The credential expired at {until:u}.");
        return new JwtCheck(true, null, payload, key.Kid);
    }

    public static string Encode(JsonNode node) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(node, Json));

    // Names in Arabic or Chinese stay readable UTF-8 in the payload, not \u escapes (both are valid JSON).
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All) };

    // RFC 7515 section 4: a header with a member named twice is refused (JsonObject would otherwise throw on first read).
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>Base64url as the signer writes it: no padding and no whitespace (both of which Base64Url.IsValid allows).</summary>
    private static bool IsCompactPart(string part) =>
        part.Length > 0 && !part.AsSpan().ContainsAnyExcept(Base64UrlAlphabet) && Base64Url.IsValid(part);

    private static JsonNode? Decode(string part)
    {
        if (!IsCompactPart(part))
            return null;
        try
        {
            return JsonNode.Parse(Base64Url.DecodeFromChars(part), documentOptions: Strict);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Number(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    private static DateTimeOffset? Date(JsonObject o, string name) =>
        Text(o, name) is { } s && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d : null;
}

/// <summary>The outcome of <see cref="VcJwt.Verify"/>: the payload when the token is genuine and current, else why not.</summary>
public sealed record JwtCheck(bool Valid, string? Error, JsonObject? Payload, string? Kid)
{
    public static JwtCheck Fail(string error) => new(false, error, null, null);
}
