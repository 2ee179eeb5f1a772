using System.Security.Cryptography;
using Cistrat.Learning.Core.Certificates;

namespace Cistrat.Learning.Core.Tests.Certificates;

/// <summary>RSA keys made once per test run: ours (in the ring) and an attacker's (not in it).</summary>
internal static class TestKeys
{
    private static readonly Lazy<CredentialKey> LazyIssuer = new(() => new CredentialKey(RSA.Create(2048)));
    private static readonly Lazy<CredentialKey> LazyAttacker = new(() => new CredentialKey(RSA.Create(2048)));

    public static CredentialKey Issuer => LazyIssuer.Value;

    public static CredentialKey Attacker => LazyAttacker.Value;

    /// <summary>A ring holding only the issuer's key; the keys are shared, so the ring is never disposed.</summary>
    public static CredentialKeyRing Ring() => new(Issuer, []);
}
