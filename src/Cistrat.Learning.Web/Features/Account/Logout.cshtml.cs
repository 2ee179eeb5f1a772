using Cistrat.Learning.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cistrat.Learning.Web.Features.Account;

/// <summary>Signing out is a POST with an antiforgery token; a GET only shows the button.</summary>
public class LogoutModel(SignInManager<ApplicationUser> signIn) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return LocalRedirect("/");
    }
}
