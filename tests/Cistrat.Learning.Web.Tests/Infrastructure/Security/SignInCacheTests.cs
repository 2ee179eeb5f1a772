using System.Security.Cryptography;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Infrastructure.Security;

public sealed class SignInCacheTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IDataProtectionProvider _provider;

    public SignInCacheTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddSignInCache();
        _services = services.BuildServiceProvider();
        _provider = _services.GetRequiredService<IDataProtectionProvider>();
    }

    public void Dispose() => _services.Dispose();

    private IDataProtector Cookie(string scheme = "Identity.Application") => _provider.CreateProtector(SignInCache.CookiePurpose, scheme, "v2");

    private IDataProtector Antiforgery => _provider.CreateProtector(SignInCache.AntiforgeryPurpose);

    [Fact]
    public void Antiforgery_RequestTokenIsRemembered_AndOpensToItsPlaintext()
    {
        byte[] plaintext = [1, 2, 3, 4, 5];
        var first = Antiforgery.Protect(plaintext);
        var second = Antiforgery.Protect(plaintext);
        Assert.Equal(first, second);
        Assert.Equal(plaintext, Antiforgery.Unprotect(first));
        Assert.Equal(plaintext, Antiforgery.Unprotect(first));
    }

    [Fact]
    public void TamperedBytes_AreRefused_EvenOnceTheGenuineOnesAreRemembered()
    {
        var genuine = Cookie().Protect("ticket"u8.ToArray());
        Assert.Equal("ticket"u8.ToArray(), Cookie().Unprotect(genuine));

        var tampered = (byte[])genuine.Clone();
        tampered[^1] ^= 0x01;
        Assert.ThrowsAny<CryptographicException>(() => Cookie().Unprotect(tampered));
        Assert.ThrowsAny<CryptographicException>(() => Cookie().Unprotect(genuine[..^1]));
    }

    [Fact]
    public void RememberedBytes_DoNotOpenUnderAnotherPurpose()
    {
        var forApplication = Cookie().Protect("ticket"u8.ToArray());
        Assert.Equal("ticket"u8.ToArray(), Cookie().Unprotect(forApplication));

        Assert.ThrowsAny<CryptographicException>(() => Cookie("Identity.External").Unprotect(forApplication));
        Assert.ThrowsAny<CryptographicException>(() => Antiforgery.Unprotect(forApplication));
    }

    [Fact]
    public void CookieTickets_AreEncryptedAfresh_AndOtherPurposesAreLeftAlone()
    {
        byte[] plaintext = [9, 8, 7];
        Assert.NotEqual(Cookie().Protect(plaintext), Cookie().Protect(plaintext));
        var other = _provider.CreateProtector("Cistrat.Learning.Calendar");
        Assert.NotEqual(other.Protect(plaintext), other.Protect(plaintext));
    }

    [Fact]
    public void Callers_GetTheirOwnCopies()
    {
        var protectedData = Cookie().Protect("ticket"u8.ToArray());
        var opened = Cookie().Unprotect(protectedData);
        opened[0] = (byte)'X';
        Assert.Equal("ticket"u8.ToArray(), Cookie().Unprotect(protectedData));
    }

    [Fact]
    public void LiveRoomRequests_AreNotRemembered()
    {
        var accessor = _services.GetRequiredService<IHttpContextAccessor>();
        accessor.HttpContext = new DefaultHttpContext { Request = { Path = "/hubs/live" } };
        try
        {
            byte[] plaintext = [4, 2];
            Assert.NotEqual(Antiforgery.Protect(plaintext), Antiforgery.Protect(plaintext));
        }
        finally
        {
            accessor.HttpContext = null;
        }
    }
}
