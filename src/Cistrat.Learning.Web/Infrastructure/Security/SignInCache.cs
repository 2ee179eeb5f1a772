using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Infrastructure.Security;

/// <summary>
/// What the sign-in and antiforgery cookies decrypt to, remembered by their exact text for a while: every page a
/// signed-in person opens sends the same two cookies, and decrypting them (a key derivation, AES and an HMAC each)
/// was a sixth of what a lesson page cost.
/// </summary>
/// <remarks>
/// Only what the key ring accepted is kept, and it is looked up by the complete protected text, so nothing that was
/// not issued here is ever accepted; what a cookie grants is still checked on every request (the ticket's expiry,
/// the security stamp, antiforgery's own comparison of the tokens). A key revoked from the ring stops opening cookies
/// once their entries are gone, within <see cref="Idle"/>. Bounded to <see cref="Capacity"/> entries.
/// </remarks>
public sealed class SignInCache : IDisposable
{
    /// <summary>The data protection purpose antiforgery's token serializer uses.</summary>
    public const string AntiforgeryPurpose = "Microsoft.AspNetCore.Antiforgery.AntiforgeryToken.v1";

    private const int Capacity = 200_000;
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = Capacity });

    private static MemoryCacheEntryOptions Entry => new() { Size = 1, SlidingExpiration = Idle };

    public void Dispose() => _entries.Dispose();

    /// <summary>Registers the caches around the application cookie's ticket format and antiforgery's data protector.</summary>
    public static void AddTo(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<SignInCache>();
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, CacheApplicationTickets>();
        var provider = services.LastOrDefault(d => d.ServiceType == typeof(IDataProtectionProvider) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("Data protection must be registered before the sign-in cache.");
        services.Remove(provider);
        services.AddSingleton<IDataProtectionProvider>(sp => new AntiforgeryProvider(
            (IDataProtectionProvider)(provider.ImplementationInstance
                ?? provider.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, provider.ImplementationType!)),
            sp.GetRequiredService<SignInCache>()));
    }

    /// <summary>Wraps the application cookie's ticket format, after the framework has made it.</summary>
    private sealed class CacheApplicationTickets(SignInCache cache) : IPostConfigureOptions<CookieAuthenticationOptions>
    {
        public void PostConfigure(string? name, CookieAuthenticationOptions options)
        {
            if (name == IdentityConstants.ApplicationScheme && options.TicketDataFormat is { } format and not TicketFormat)
                options.TicketDataFormat = new TicketFormat(format, cache);
        }
    }

    /// <summary>Tickets by cookie text; each caller gets its own copy, so nothing a request changes reaches another.</summary>
    private sealed class TicketFormat(ISecureDataFormat<AuthenticationTicket> inner, SignInCache cache) : ISecureDataFormat<AuthenticationTicket>
    {
        public string Protect(AuthenticationTicket data) => inner.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            if (protectedText is null)
                return null;
            var key = ("ticket", protectedText, purpose);
            if (cache._entries.TryGetValue(key, out AuthenticationTicket? kept))
                return kept!.Clone();
            var ticket = inner.Unprotect(protectedText, purpose);
            if (ticket is null)
                return null;
            cache._entries.Set(key, ticket, Entry);
            return ticket.Clone();
        }
    }

    /// <summary>The data protection provider, with antiforgery's protector remembering its results.</summary>
    private sealed class AntiforgeryProvider(IDataProtectionProvider inner, SignInCache cache) : IDataProtectionProvider
    {
        public IDataProtector CreateProtector(string purpose) =>
            purpose == AntiforgeryPurpose ? new AntiforgeryProtector(inner.CreateProtector(purpose), cache) : inner.CreateProtector(purpose);
    }

    /// <summary>
    /// The cookie token decrypts to the same bytes on every request, and the request token for one person and cookie
    /// token is the same plaintext each time: both are remembered (the request token thus stays the same for a
    /// person's browser while the entry lives, which antiforgery allows: any token made for that pair is valid).
    /// </summary>
    private sealed class AntiforgeryProtector(IDataProtector inner, SignInCache cache) : IDataProtector
    {
        public IDataProtector CreateProtector(string purpose) => inner.CreateProtector(purpose);

        public byte[] Protect(byte[] plaintext)
        {
            ArgumentNullException.ThrowIfNull(plaintext);
            var key = ("antiforgery-protect", Convert.ToBase64String(plaintext));
            if (!cache._entries.TryGetValue(key, out byte[]? protectedData))
            {
                protectedData = inner.Protect(plaintext);
                cache._entries.Set(key, protectedData, Entry);
            }

            return (byte[])protectedData!.Clone();
        }

        public byte[] Unprotect(byte[] protectedData)
        {
            ArgumentNullException.ThrowIfNull(protectedData);
            var key = ("antiforgery-unprotect", Convert.ToBase64String(protectedData));
            if (!cache._entries.TryGetValue(key, out byte[]? plaintext))
            {
                plaintext = inner.Unprotect(protectedData);
                cache._entries.Set(key, plaintext, Entry);
            }

            return (byte[])plaintext!.Clone();
        }
    }
}
