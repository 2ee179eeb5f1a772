using System.ComponentModel.DataAnnotations;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Account;

[EnableRateLimiting(Policies.SignInRateLimit)]
public class LoginModel(SignInManager<ApplicationUser> signIn, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
            return Page();

        var result = await signIn.PasswordSignInAsync(Input.Email.Trim(), Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/dashboard");

        // One message for a wrong address or a wrong password, so the form does not reveal who has an account.
        ModelState.AddModelError(string.Empty, result.IsLockedOut
            ? localizer["Too many failed attempts: this account is locked for 15 minutes."].Value
            : localizer["The email address or password is not right."].Value);
        return Page();
    }

    public sealed class LoginInput
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter a valid email address.")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";

        public bool RememberMe { get; set; }
    }
}
