using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cistrat.Learning.Core.Certificates;

namespace Cistrat.Learning.Core.Tests.Certificates;

/// <summary>The signing key file: created once, private to its owner, and retired keys beside it still verify.</summary>
public sealed class CredentialKeyRingTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"cistrat-keys-{Guid.NewGuid():N}");

    private string SigningPath => Path.Combine(_folder, "keys", "signing.pem");

    [Fact]
    public void LoadOrCreate_CreatesAPemKey_OnFirstCall_ReadableOnlyByItsOwner()
    {
        Assert.False(File.Exists(SigningPath));

        using var ring = CredentialKeyRing.LoadOrCreate(SigningPath);

        Assert.True(File.Exists(SigningPath));
        var pem = File.ReadAllText(SigningPath);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        Assert.True(ring.Signing.Rsa.KeySize >= 3072, $"A new key has {ring.Signing.Rsa.KeySize} bits.");
        Assert.Single(ring.All);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SigningPath));
    }

    [Fact]
    public void LoadOrCreate_LoadsTheSameKey_TheSecondTime()
    {
        string kid;
        string token;
        using (var first = CredentialKeyRing.LoadOrCreate(SigningPath))
        {
            kid = first.Signing.Kid;
            token = VcJwt.Sign(new JsonObject { ["name"] = "x" }, first.Signing);
        }

        var written = File.ReadAllBytes(SigningPath);
        using var second = CredentialKeyRing.LoadOrCreate(SigningPath);

        Assert.Equal(kid, second.Signing.Kid);
        Assert.Equal(written, File.ReadAllBytes(SigningPath));
        Assert.True(VcJwt.Verify(token, second, Now).Valid);
    }

    [Fact]
    public void LoadOrCreate_StartedTogetherInParallel_AgreesOnOneKey()
    {
        var kids = new string[4];
        Parallel.For(0, kids.Length, i =>
        {
            using var ring = CredentialKeyRing.LoadOrCreate(SigningPath);
            kids[i] = ring.Signing.Kid;
        });

        Assert.Single(kids.Distinct());
        using var after = CredentialKeyRing.LoadOrCreate(SigningPath);
        Assert.Equal(kids[0], after.Signing.Kid);
        Assert.Equal(["signing.pem"], Directory.GetFiles(Path.GetDirectoryName(SigningPath)!).Select(Path.GetFileName));
    }

    [Fact]
    public void LoadOrCreate_PublishesRetiredKeys_AndVerifiesWhatTheySigned()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SigningPath)!);
        using var retiredPrivate = RSA.Create(2048);
        using var retiredPublicOnly = RSA.Create(2048);
        File.WriteAllText(Path.Combine(_folder, "keys", "2025-retired.pem"), retiredPrivate.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_folder, "keys", "2024-retired.pem"), retiredPublicOnly.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(Path.Combine(_folder, "keys", "notes.txt"), "not a key, and not a .pem: ignored");
        var copy = RSA.Create();
        copy.ImportParameters(retiredPrivate.ExportParameters(includePrivateParameters: true));
        using var oldKey = new CredentialKey(copy);
        var signedByOld = VcJwt.Sign(new JsonObject { ["name"] = "old" }, oldKey);

        using var ring = CredentialKeyRing.LoadOrCreate(SigningPath);

        Assert.NotEqual(oldKey.Kid, ring.Signing.Kid);
        var published = ring.Jwks()["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).ToList();
        Assert.Equal(3, published.Count);
        Assert.Contains(ring.Signing.Kid, published);
        Assert.Contains(oldKey.Kid, published);
        var check = VcJwt.Verify(signedByOld, ring, Now);
        Assert.True(check.Valid, check.Error);
        Assert.Equal(oldKey.Kid, check.Kid);
        // New credentials are signed with the current key, never a retired one.
        var signedNow = VcJwt.Sign(new JsonObject { ["name"] = "new" }, ring.Signing);
        Assert.Equal(ring.Signing.Kid, VcJwt.Verify(signedNow, ring, Now).Kid);
        // A retired key that is no longer in the folder no longer verifies.
        using var without = new CredentialKeyRing(CredentialKeyRing.Read(SigningPath), []);
        Assert.Contains("kid", VcJwt.Verify(signedByOld, without, Now).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_NamesThePath_OfARetiredFileThatIsNotAKey()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SigningPath)!);
        var junk = Path.Combine(_folder, "keys", "junk.pem");
        File.WriteAllText(junk, "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n");

        var error = Assert.Throws<InvalidOperationException>(() => CredentialKeyRing.LoadOrCreate(SigningPath));

        Assert.Contains(junk, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_NamesThePath_OfASigningFileThatIsNotAKey()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SigningPath)!);
        File.WriteAllText(SigningPath, "hello");

        var error = Assert.Throws<InvalidOperationException>(() => CredentialKeyRing.LoadOrCreate(SigningPath));

        Assert.Contains(SigningPath, error.Message, StringComparison.Ordinal);
        Assert.Equal("hello", File.ReadAllText(SigningPath));
    }

    [Fact]
    public void CredentialKey_RefusesAKeyShorterThan2048Bits()
    {
        var error = Assert.Throws<ArgumentException>(() => new CredentialKey(RSA.Create(1024)));

        Assert.Contains("2048", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}
