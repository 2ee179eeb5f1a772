using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>
/// The secret in an unsubscribe link: whose link it is and for which kind of mail, protected with the app's keys so
/// that it works without signing in and cannot be made up for someone else.
/// </summary>
public sealed class UnsubscribeTokens(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Cistrat.Learning.Unsubscribe.v1");

    public string Create(string userId, string kind) =>
        WebEncoders.Base64UrlEncode(_protector.Protect(Encoding.UTF8.GetBytes($"{userId}\n{kind}")));

    /// <summary>The (user, kind) a token names, or null for anything not made by <see cref="Create"/>.</summary>
    public (string UserId, string Kind)? Read(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 1000)
            return null;
        try
        {
            var text = Encoding.UTF8.GetString(_protector.Unprotect(WebEncoders.Base64UrlDecode(token)));
            var parts = text.Split('\n');
            return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? (parts[0], parts[1]) : null;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
