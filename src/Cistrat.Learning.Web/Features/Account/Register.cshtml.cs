using System.ComponentModel.DataAnnotations;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Account;

[EnableRateLimiting(Policies.SignInRateLimit)]
public class RegisterModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    EnrolmentService enrolments,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer,
    AccountLinks links,
    ILogger<RegisterModel> logger) : PageModel
{
    [BindProperty]
    public RegisterInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
            return Page();

        var user = new ApplicationUser { UserName = Input.Email.Trim(), Email = Input.Email.Trim(), CreatedAt = time.GetUtcNow().UtcDateTime };
        Input.ApplyTo(user);
        var created = await users.CreateAsync(user, Input.Password);
        if (!created.Succeeded)
        {
            foreach (var error in created.Errors)
            {
                // Identity's "DuplicateUserName" would repeat the email as a user name; say it once, plainly.
                var message = error.Code is "DuplicateEmail" or "DuplicateUserName"
                    ? localizer["An account with this email address already exists. Sign in instead."].Value
                    : localizer[error.Description].Value;
                ModelState.AddModelError(error.Code.StartsWith("Password", StringComparison.Ordinal) ? "Input.Password" : "Input.Email", message);
            }

            return Page();
        }

        await users.AddToRoleAsync(user, Roles.Trainee);
        var redeemed = await enrolments.RedeemInvitationsAsync(user.Id, user.NormalizedEmail!, ct);
        logger.LogInformation("Registered user {UserId}; {Invitations} invitation(s) redeemed", user.Id, redeemed);
        await links.SendConfirmationAsync(user);
        await signIn.SignInAsync(user, isPersistent: false);
        if (redeemed > 0)
            TempData["Message"] = localizer["Welcome! You were already invited to {0} cohort(s); they are on your dashboard.", redeemed].Value;
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/dashboard");
    }

    public sealed class RegisterInput : ProfileFields
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter a valid email address.")]
        [StringLength(256, ErrorMessage = "The email address can have at most 256 characters.")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Choose a password.")]
        [StringLength(128, MinimumLength = 10, ErrorMessage = "The password needs at least 10 characters.")]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";

        [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
        [DataType(DataType.Password)]
        public string ConfirmPassword { get; set; } = "";
    }
}
