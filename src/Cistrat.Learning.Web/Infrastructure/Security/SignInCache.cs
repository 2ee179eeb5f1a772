using System.IO.Hashing;
using Cistrat.Learning.Web.Features.Live;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Memory;

namespace Cistrat.Learning.Web.Infrastructure.Security;

/// <summary>
/// What the sign-in and antiforgery cookies decrypt to, remembered by their exact bytes for a while: every page a
/// signed-in person opens sends the same two cookies, and decrypting them (a key derivation, AES and an HMAC each)
/// was a sixth of what a lesson page cost.
/// </summary>
/// <remarks>
/// <para>
/// Only what the key ring accepted is kept, under the complete protected bytes and the full purpose chain, so nothing
/// that was not issued here for that purpose is ever accepted; what a cookie grants is still checked on every request
/// (the ticket's expiry, the security stamp, antiforgery's comparison of its two tokens). A key revoked from the ring
/// stops opening cookies once their entries are gone: each lives <see cref="Lifetime"/> from its first use, however
/// often it is used. At most <see cref="Capacity"/> entries.
/// </para>
/// <para>
/// Requests to the live-room hub are left out: a socket reads its cookie once, and keeping a copy per connection
/// would only cost the room memory.
/// </para>
/// </remarks>
public sealed class SignInCache(IHttpContextAccessor http) : IDisposable
{
    /// <summary>The data protection purpose of antiforgery's token serializer.</summary>
    public const string AntiforgeryPurpose = "Microsoft.AspNetCore.Antiforgery.AntiforgeryToken.v1";

    /// <summary>The first data protection purpose of the cookie authentication handler's tickets.</summary>
    public const string CookiePurpose = "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware";

    private const int Capacity = 200_000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public void Dispose() => _entries.Dispose();

    /// <summary>The registered data protection provider, with the cookie and antiforgery protectors wrapped.</summary>
    internal static IDataProtectionProvider Wrap(IDataProtectionProvider inner, SignInCache cache) => new Provider(inner, cache);

    private bool Skips => http.HttpContext is { } context && HubRequests.Matches(context);

    private byte[] Remember(Key key, Func<byte[]> compute)
    {
        if (Skips)
            return compute();
        if (!_entries.TryGetValue(key, out byte[]? value))
        {
            value = compute();
            _entries.Set(key.Copy(), value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        }

        // Callers own what they are given.
        return (byte[])value!.Clone();
    }

    /// <summary>The data protection provider, with the cookie and antiforgery protectors remembering their results.</summary>
    private sealed class Provider(IDataProtectionProvider inner, SignInCache cache) : IDataProtectionProvider
    {
        public IDataProtector CreateProtector(string purpose) => purpose switch
        {
            AntiforgeryPurpose => new Protector(inner.CreateProtector(purpose), purpose, RemembersProtect: true, cache),
            CookiePurpose => new Protector(inner.CreateProtector(purpose), purpose, RemembersProtect: false, cache),
            _ => inner.CreateProtector(purpose),
        };
    }

    /// <summary>
    /// Remembers what protected bytes open to; for antiforgery also what its plaintexts protect to: the request token
    /// for one person and cookie token is the same plaintext every time, and any token made for that pair is valid.
    /// </summary>
    private sealed record Protector(IDataProtector Inner, string Purposes, bool RemembersProtect, SignInCache Cache) : IDataProtector
    {
        public IDataProtector CreateProtector(string purpose) =>
            this with { Inner = Inner.CreateProtector(purpose), Purposes = Purposes + "\n" + purpose };

        public byte[] Protect(byte[] plaintext)
        {
            ArgumentNullException.ThrowIfNull(plaintext);
            return RemembersProtect ? Cache.Remember(new Key(Purposes, protects: true, plaintext), () => Inner.Protect(plaintext)) : Inner.Protect(plaintext);
        }

        public byte[] Unprotect(byte[] protectedData)
        {
            ArgumentNullException.ThrowIfNull(protectedData);
            return Cache.Remember(new Key(Purposes, protects: false, protectedData), () => Inner.Unprotect(protectedData));
        }
    }

    /// <summary>Bytes compared in full; the hash only picks the bucket.</summary>
    private sealed class Key : IEquatable<Key>
    {
        private readonly string _purposes;
        private readonly bool _protects;
        private readonly byte[] _bytes;
        private readonly int _hash;

        /// <summary>A key over the caller's bytes, for looking up; <see cref="Copy"/> before keeping it.</summary>
        public Key(string purposes, bool protects, byte[] bytes)
            : this(purposes, protects, bytes, HashCode.Combine(purposes, protects, XxHash3.HashToUInt64(bytes)))
        {
        }

        private Key(string purposes, bool protects, byte[] bytes, int hash)
        {
            _purposes = purposes;
            _protects = protects;
            _bytes = bytes;
            _hash = hash;
        }

        public Key Copy() => new(_purposes, _protects, (byte[])_bytes.Clone(), _hash);

        public bool Equals(Key? other) =>
            other is not null && other._hash == _hash && other._protects == _protects && other._purposes == _purposes
            && other._bytes.AsSpan().SequenceEqual(_bytes);

        public override bool Equals(object? obj) => Equals(obj as Key);

        public override int GetHashCode() => _hash;
    }
}
