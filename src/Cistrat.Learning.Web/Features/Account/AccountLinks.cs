using System.Text;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Notifications;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Features.Account;

/// <summary>Makes Identity's confirmation and reset links (absolute, on the site's public address) and hands them to the mailer.</summary>
public sealed class AccountLinks(UserManager<ApplicationUser> users, IEmailSender<ApplicationUser> mailer, IOptions<MailOptions> mail)
{
    public async Task SendConfirmationAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        await mailer.SendConfirmationLinkAsync(user, user.Email!, Link($"/account/confirm-email?userId={Uri.EscapeDataString(user.Id)}&code={code}"));
    }

    public async Task SendPasswordResetAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var code = Encode(await users.GeneratePasswordResetTokenAsync(user));
        await mailer.SendPasswordResetLinkAsync(user, user.Email!, Link($"/account/reset-password?email={Uri.EscapeDataString(user.Email!)}&code={code}"));
    }

    public static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code))
            return null;
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    private string Link(string pathAndQuery) => new Uri(new Uri(mail.Value.SiteUrl.TrimEnd('/') + "/"), pathAndQuery).ToString();
}
