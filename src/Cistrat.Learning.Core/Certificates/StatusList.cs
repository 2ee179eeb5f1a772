using System.Buffers.Text;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Cistrat.Learning.Core.Certificates;

/// <summary>
/// The W3C Bitstring Status List (revocation): bit i set = the certificate with status index i is revoked. Indexes are
/// drawn at random from the list's 131,072 positions (the spec's minimum size, for herd privacy), so the list's
/// order says nothing about who was issued when.
/// </summary>
public static class StatusList
{
    public const int Size = 131_072;

    public static int RandomIndex() => RandomNumberGenerator.GetInt32(Size);

    /// <summary>The list's <c>encodedList</c>: multibase base64url (prefix 'u') of the GZIP-compressed bitstring.</summary>
    public static string Encode(IEnumerable<int> revokedIndexes)
    {
        ArgumentNullException.ThrowIfNull(revokedIndexes);
        var bits = new byte[Size / 8];
        foreach (var index in revokedIndexes)
        {
            if (index is < 0 or >= Size)
                throw new ArgumentOutOfRangeException(nameof(revokedIndexes), index, "A status index lies outside the list.");
            // Index 0 is the left-most (most significant) bit of the first byte.
            bits[index / 8] |= (byte)(0x80 >> (index % 8));
        }

        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(bits);
        return "u" + Base64Url.EncodeToString(buffer.ToArray());
    }

    /// <summary>Reads one bit of an encoded list; what a relying party does with the list it fetched.</summary>
    public static bool IsSet(string encodedList, int index)
    {
        ArgumentException.ThrowIfNullOrEmpty(encodedList);
        if (encodedList[0] != 'u')
            throw new FormatException("An encoded status list starts with the multibase prefix 'u' (base64url).");
        using var gzip = new GZipStream(new MemoryStream(Base64Url.DecodeFromChars(encodedList.AsSpan(1))), CompressionMode.Decompress);
        using var bits = new MemoryStream();
        gzip.CopyTo(bits);
        var bytes = bits.ToArray();
        if (index < 0 || index / 8 >= bytes.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, "The index lies outside the list.");
        return (bytes[index / 8] & (0x80 >> (index % 8))) != 0;
    }

    /// <summary>The status list credential: a VC whose subject is the list, signed like the certificates.</summary>
    public static JsonObject Credential(CredentialIssuer issuer, string encodedList, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var url = issuer.StatusListUrl;
        var validFrom = now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["@context"] = new JsonArray(OpenBadgeCredential.VcContext),
            ["id"] = url,
            ["type"] = new JsonArray("VerifiableCredential", "BitstringStatusListCredential"),
            ["issuer"] = issuer.Id,
            ["validFrom"] = validFrom,
            ["credentialSubject"] = new JsonObject
            {
                ["id"] = url + "#list",
                ["type"] = "BitstringStatusList",
                ["statusPurpose"] = "revocation",
                ["encodedList"] = encodedList,
            },
            ["iss"] = issuer.Id,
            ["jti"] = url,
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
        };
    }
}
