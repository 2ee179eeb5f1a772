using System.Security.Cryptography;
using System.Text;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Notifications;
using Microsoft.AspNetCore.Identity;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>Identity's account mail (address confirmation, password reset) through the outbox like all other mail.</summary>
public sealed class AccountMailSender(LearningDbContext db, MailKick kick, TimeProvider time) : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        StoreAsync(user, email, MailKinds.AccountConfirmation, confirmationLink);

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        StoreAsync(user, email, MailKinds.PasswordReset, resetLink);

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        throw new NotSupportedException("Password resets here use a link (SendPasswordResetLinkAsync), not a code.");

    private async Task StoreAsync(ApplicationUser user, string email, string kind, string link)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = time.GetUtcNow().UtcDateTime;
        var recipient = new Recipient(user.Id, email, user.FullName, user.PreferredLanguage, user.TimeZoneId);
        // Each link is its own occasion: asking again sends a new link, asking the same thing twice does not.
        var occasion = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(link)))[..24];
        await MailOutbox.AddNewAsync(db, [recipient.Mail($"{kind}:{user.Id}:{occasion}", kind, new AccountMailModel(link), now, cohortId: null)]);
        kick.Now();
    }
}
