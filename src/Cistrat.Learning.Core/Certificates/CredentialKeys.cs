using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Cistrat.Learning.Core.Certificates;

/// <summary>An RSA key with its key id: the RFC 7638 thumbprint of its public half.</summary>
public sealed class CredentialKey : IDisposable
{
    public CredentialKey(RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        if (rsa.KeySize < 2048)
            throw new ArgumentException($"A credential signing key must have at least 2048 bits; this one has {rsa.KeySize}.", nameof(rsa));
        Rsa = rsa;
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        N = Base64Url.EncodeToString(parameters.Modulus);
        E = Base64Url.EncodeToString(parameters.Exponent);
        // RFC 7638: the required members in lexicographic order, no whitespace.
        Kid = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"e\":\"{E}\",\"kty\":\"RSA\",\"n\":\"{N}\"}}")));
    }

    public RSA Rsa { get; }
    public string Kid { get; }
    public string N { get; }
    public string E { get; }

    public JsonObject PublicJwk() => new()
    {
        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = Kid, ["n"] = N, ["e"] = E,
    };

    public void Dispose() => Rsa.Dispose();
}

/// <summary>The key that signs new credentials and every key whose credentials are still verified (retired ones too).</summary>
public sealed class CredentialKeyRing : IDisposable
{
    private readonly Dictionary<string, CredentialKey> _byKid;

    public CredentialKeyRing(CredentialKey signing, IEnumerable<CredentialKey> retired)
    {
        ArgumentNullException.ThrowIfNull(signing);
        Signing = signing;
        _byKid = new Dictionary<string, CredentialKey>(StringComparer.Ordinal) { [signing.Kid] = signing };
        foreach (var key in retired ?? [])
            _byKid.TryAdd(key.Kid, key);
    }

    public CredentialKey Signing { get; }

    public IEnumerable<CredentialKey> All => _byKid.Values;

    public CredentialKey? Find(string? kid) => kid is not null && _byKid.TryGetValue(kid, out var key) ? key : null;

    /// <summary>The JWKS document (RFC 7517) of the public keys.</summary>
    public JsonObject Jwks() => new() { ["keys"] = new JsonArray([.. All.Select(k => (JsonNode)k.PublicJwk())]) };

    /// <summary>
    /// Reads the signing key from a PEM file, creating a 3072-bit key there first when none exists (the embedded
    /// default's first run); every other <c>*.pem</c> in the same folder is a retired key, still published for verifying.
    /// </summary>
    public static CredentialKeyRing LoadOrCreate(string signingKeyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingKeyPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(signingKeyPath))!;
        if (!File.Exists(signingKeyPath))
        {
            Directory.CreateDirectory(folder);
            using var fresh = RSA.Create(3072);
            var pem = fresh.ExportPkcs8PrivateKeyPem();
            // Written whole under a temporary name, then moved into place without overwriting: two nodes starting
            // together never sign with different keys, and none ever reads a half-written file.
            var temporary = Path.Combine(folder, $".{Path.GetFileName(signingKeyPath)}.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(temporary, "");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(temporary, pem);
            try
            {
                File.Move(temporary, signingKeyPath, overwrite: false);
            }
            catch (IOException) when (File.Exists(signingKeyPath))
            {
                File.Delete(temporary);
            }
        }

        var signing = Read(signingKeyPath);
        var retired = Directory.EnumerateFiles(folder, "*.pem")
            .Where(p => !string.Equals(Path.GetFullPath(p), Path.GetFullPath(signingKeyPath), StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(Read)
            .ToList();
        return new CredentialKeyRing(signing, retired);
    }

    public static CredentialKey Read(string path) => FromPem(File.ReadAllText(path), $"The credential key file '{path}'");

    /// <param name="source">Names where the text came from, for the error message (a file, a setting).</param>
    public static CredentialKey FromPem(string pem, string source)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new CredentialKey(rsa);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new InvalidOperationException($"{source} is not an RSA key in PEM form: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        foreach (var key in _byKid.Values)
            key.Dispose();
    }
}
