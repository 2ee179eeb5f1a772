using System.ComponentModel.DataAnnotations;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Cistrat.Learning.Web.Features.Account;

/// <summary>
/// Asks for a reset link. The answer is the same whether the address has an account or not, so the form cannot be
/// used to find out who is registered.
/// </summary>
[EnableRateLimiting(Policies.SignInRateLimit)]
public class ForgotPasswordModel(UserManager<ApplicationUser> users, AccountLinks links) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can have at most 256 characters.")]
    public string Email { get; set; } = "";

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
            return Page();
        if (await users.FindByEmailAsync(Email.Trim()) is { } user)
            await links.SendPasswordResetAsync(user);
        Sent = true;
        return Page();
    }
}
