using System.ComponentModel.DataAnnotations;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Account;

/// <summary>The page a reset link opens: a new password, checked against the link's token.</summary>
[EnableRateLimiting(Policies.SignInRateLimit)]
public class ResetPasswordModel(UserManager<ApplicationUser> users, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Email { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(128, MinimumLength = 10, ErrorMessage = "The password needs at least 10 characters.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [BindProperty]
    [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    [DataType(DataType.Password)]
    public string ConfirmPassword { get; set; } = "";

    public IActionResult OnGet() => string.IsNullOrEmpty(Email) || AccountLinks.Decode(Code) is null ? BadRequest() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
            return Page();
        var token = AccountLinks.Decode(Code);
        var user = string.IsNullOrEmpty(Email) ? null : await users.FindByEmailAsync(Email);
        var result = user is null || token is null ? null : await users.ResetPasswordAsync(user, token, Password);
        if (result is null || !result.Succeeded)
        {
            // An unknown address and a wrong or used token read the same: nothing about accounts leaks.
            var errors = result?.Errors.Where(e => e.Code.StartsWith("Password", StringComparison.Ordinal)).ToList() ?? [];
            if (errors.Count > 0)
            {
                foreach (var e in errors)
                    ModelState.AddModelError(nameof(Password), localizer[e.Description].Value);
            }
            else
            {
                ModelState.AddModelError(string.Empty, localizer["This reset link is not valid any more. Ask for a new one."].Value);
            }

            return Page();
        }

        TempData["Message"] = localizer["Your password is changed. Sign in with the new one."].Value;
        return Redirect("/account/login");
    }
}
